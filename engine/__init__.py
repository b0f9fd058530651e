"""altui's learner logic: pool, query strategies, learners, metrics, the loop and simulate.

Pure numpy / scipy / scikit-learn; nothing here imports a UI library or does I/O. The names below are loaded
when first used (PEP 562), so ``import altui.engine.learners`` for the model names costs no scikit-learn.
"""

from __future__ import annotations

import importlib

_PUBLIC = {
    "AltuiError": "errors", "ConfigError": "errors", "EmptyPoolError": "errors", "PoolExhaustedError": "errors",
    "Learner": "learners.base", "Scores": "learners.base", "SklearnLearner": "learners.base",
    "MultinomialNBLearner": "learners.naive_bayes",
    "ActiveLoop": "loop", "Answer": "loop", "RoundMetrics": "loop",
    "LABELED": "pool", "MISSING": "pool", "SKIPPED": "pool", "UNLABELED": "pool", "Pool": "pool",
    "Curve": "simulate", "RunResult": "simulate", "simulate": "simulate", "summarize": "simulate",
    "STRATEGIES": "strategies", "QueryStrategy": "strategies", "get_strategy": "strategies",
}
__all__ = sorted(_PUBLIC)


def __getattr__(name: str):
    if name not in _PUBLIC:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{_PUBLIC[name]}"), name)
