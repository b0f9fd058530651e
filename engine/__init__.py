"""altui's learner logic: pool, query strategies, learners, metrics, the loop and simulate.

Pure numpy / scipy / scikit-learn; nothing here imports a UI library or does I/O.
"""

from engine.errors import AltuiError, ConfigError, EmptyPoolError, PoolExhaustedError
from engine.learner import Learner, Scores, SklearnLearner
from engine.naive_bayes import MultinomialNBLearner
from engine.loop import ActiveLoop, Answer, RoundMetrics
from engine.pool import LABELED, MISSING, SKIPPED, UNLABELED, Pool
from engine.simulate import Curve, RunResult, simulate, summarize
from engine.strategies import STRATEGIES, QueryStrategy, get_strategy

__all__ = [
    "LABELED", "MISSING", "SKIPPED", "STRATEGIES", "UNLABELED", "ActiveLoop", "AltuiError", "Answer",
    "ConfigError", "Curve", "EmptyPoolError", "Learner", "MultinomialNBLearner", "Pool",
    "PoolExhaustedError", "QueryStrategy", "RoundMetrics", "RunResult", "Scores", "SklearnLearner",
    "get_strategy", "simulate", "summarize",
]
