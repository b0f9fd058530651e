"""The loop without a person: labels come from the data's label column.

Every (strategy, repeat) run is independent and seeded from ``random_state`` and the repeat number
only, so ``n_jobs`` changes the speed, never the result; repeat r of every strategy starts from the same
seed (common random numbers), which makes strategies comparable with few repeats.
"""

from __future__ import annotations

import math
import time
import warnings
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import numpy as np
from joblib import Parallel, delayed
from sklearn.base import clone

from altui.engine.cold_start import DEFAULT_COLD_START, ColdStart
from altui.engine.errors import ConfigError
from altui.engine.learners.base import Learner
from altui.engine.loop import ActiveLoop
from altui.engine.modal_reference import MODAL_TUTORIAL, run_modal_tutorial
from altui.engine.names import DEFAULT_STRATEGY, resolve_strategy
from altui.engine.stopping import stop_round
from altui.engine.strategies import DEFAULT_MAX_CANDIDATES, get_strategy


@dataclass(frozen=True)
class RunResult:
    """One loop: metrics after every iteration and the items each iteration queried."""

    strategy: str
    repeat: int
    n_labels: np.ndarray  # (iterations,)
    accuracy: np.ndarray
    f1: np.ndarray
    queried: list[np.ndarray]  # one array of pool indices per iteration
    seconds: float  # wall time of the loop (query + teach + metrics), no loading or vectorizing
    kappa: np.ndarray | None = None  # stability of the predictions on the stop set, per iteration
    iteration_seconds: np.ndarray | None = None  # wall time of each iteration (query + answers + teach)
    class_f1: np.ndarray | None = None  # (iterations, n_classes): test F1 per class, NaN where undefined
    distinct: np.ndarray | None = None  # distinct items labeled after each iteration (modAL's loop re-asks)
    micro_f1: np.ndarray | None = None  # multi-label: micro F1 per iteration (accuracy is then subset accuracy)
    before_answers: tuple[float, float] | None = None  # (accuracy, F1) of a zero-shot model before any answer

    @property
    def stop(self) -> int | None:
        """The iteration where "stabilizing predictions" fired (engine.stopping), or None."""
        return None if self.kappa is None else stop_round(self.kappa.tolist())


@dataclass(frozen=True)
class Curve:
    """Mean and standard deviation over repeats of one strategy, per iteration."""

    strategy: str
    n_labels: np.ndarray
    mean: np.ndarray
    std: np.ndarray
    f1_mean: np.ndarray
    f1_std: np.ndarray
    seconds: float  # summed over the runs
    runs: int
    stop_labels: np.ndarray = field(default_factory=lambda: np.zeros(0))  # labels at the stop, runs that stopped
    stop_accuracy: np.ndarray = field(default_factory=lambda: np.zeros(0))  # test accuracy there
    class_f1_mean: np.ndarray | None = None  # (iterations, n_classes), mean over repeats (NaN-aware)
    distinct_mean: np.ndarray | None = None  # distinct items labeled per iteration, mean over repeats
    micro_f1_mean: np.ndarray | None = None  # multi-label: micro F1 per iteration, mean over repeats
    before_answers: np.ndarray | None = None  # (accuracy mean, std, F1 mean, std) before any answer (zero-shot)


def max_iterations(n_items: int, batch_size: int) -> int:
    return math.ceil(n_items / batch_size)


def repeat_seeds(random_state: int | None, repeats: int) -> list[int]:
    return [int(s) for s in np.random.SeedSequence(random_state).generate_state(repeats)]


def run_once(
    X, y, X_test, y_test, n_classes: int, strategy: str, iterations: int, batch_size: int, seed: int,
    repeat: int = 0, learner: Learner | None = None, max_candidates: int | None = DEFAULT_MAX_CANDIDATES,
    rankable: np.ndarray | None = None, cold_start: str | ColdStart = DEFAULT_COLD_START,
    copy_of: np.ndarray | None = None, multi_label: bool = False,
) -> RunResult:
    """One active-learning loop of ``iterations`` rounds of ``batch_size`` answers from ``y`` (class indices, or
    label-set bit masks with ``multi_label``)."""
    loop = ActiveLoop(
        X, n_classes, X_test=X_test, y_test=y_test, strategy=strategy, batch_size=batch_size,
        learner=None if learner is None else clone(learner), random_state=seed, max_candidates=max_candidates,
        rankable=rankable, cold_start=cold_start, copy_of=copy_of, multi_label=multi_label,
    )
    n_labels, acc, f1, queried, kappa, ticks, per_class, micro = [], [], [], [], [], [], [], []
    before = None
    if loop.learner.can_predict and loop.test_scores_ is not None:  # a zero-shot start (class prototypes)
        zero = loop.evaluate()
        before = (zero.accuracy, zero.f1)
    started = time.perf_counter()
    for _ in range(iterations):
        tick = time.perf_counter()
        batch = loop.query()
        for index in batch:
            loop.answer(index, int(y[index]))
        metrics = loop.teach()
        queried.append(np.asarray(batch, dtype=np.int64))
        n_labels.append(metrics.n_labels)
        acc.append(metrics.accuracy)
        f1.append(metrics.f1)
        micro.append(metrics.micro_f1)
        kappa.append(metrics.kappa)
        per_class.append(metrics.class_f1 or (float("nan"),) * n_classes)
        ticks.append(time.perf_counter() - tick)
    seconds = time.perf_counter() - started
    return RunResult(strategy, repeat, np.asarray(n_labels), np.asarray(acc), np.asarray(f1), queried, seconds,
                     np.asarray(kappa), np.asarray(ticks), np.asarray(per_class, dtype=float), np.asarray(n_labels),
                     np.asarray(micro) if multi_label else None, before)


def simulate(
    X, y, X_test, y_test, *, n_classes: int, strategies: Iterable[str] = (DEFAULT_STRATEGY, "random"),
    repeats: int = 5, iterations: int = 30, batch_size: int = 10, random_state: int | None = 0,
    n_jobs: int = 1, learner: Learner | None = None, on_run_done: Callable[[RunResult], None] | None = None,
    max_candidates: int | None = DEFAULT_MAX_CANDIDATES, rankable: np.ndarray | None = None,
    tutorial_features: tuple | None = None, cold_start: str | ColdStart = DEFAULT_COLD_START,
    runs: Iterable[tuple[str, int]] | None = None,
    run_tasks: Callable[[list], Iterable[RunResult]] | None = None,
    copy_of: np.ndarray | None = None,
    multi_label: bool = False,
) -> list[RunResult]:
    """Run every strategy ``repeats`` times; results are ordered by strategy, then repeat.

    ``runs`` limits the work to some (strategy, repeat) pairs (a resumed grid); each keeps the seed it has in
    the full set, so the results do not depend on which runs were done before.
    ``run_tasks`` runs the runs (joblib ``delayed`` calls) and yields their results in order: a cluster's
    (``data.cluster``); default: joblib's ``Parallel(n_jobs)`` on this machine.

    The strategy ``modal-tutorial`` is the tutorial's own modAL loop (:mod:`engine.modal_reference`), run on
    ``tutorial_features`` (its word 1-5-gram counts: (X, X_test)) when the learner's features differ.
    """
    strategies = list(strategies)
    if runs is None:  # typiclust is margin on two classes: run and shown once, by that name (a grid keeps its names)
        strategies = list(dict.fromkeys(resolve_strategy(name, n_classes, multi_label) for name in strategies))
    for name in strategies:
        if name == MODAL_TUTORIAL and multi_label:
            raise ConfigError("the modAL tutorial's loop is single-label: drop -s modal-tutorial with --multi-label")
        if name != MODAL_TUTORIAL:
            get_strategy(name, multi_label)  # unknown names fail before any work
    if repeats < 1:
        raise ConfigError(f"--repeats must be at least 1, got {repeats}")
    if iterations < 1:
        raise ConfigError(f"--iterations must be at least 1, got {iterations}")
    if batch_size < 1:
        raise ConfigError(f"--batch must be at least 1, got {batch_size}")
    n_copies = 0 if copy_of is None else int(np.count_nonzero(np.asarray(copy_of) >= 0))
    limit = max_iterations(X.shape[0] - n_copies, batch_size)  # identical copies are asked once, as one
    if iterations > limit:
        raise ConfigError(
            f"{iterations} iterations of {batch_size} need {iterations * batch_size} items but the pool has "
            f"{X.shape[0] - n_copies} distinct texts: use --iterations {limit} or less"
        )
    y = np.asarray(y, dtype=np.int64)
    seeds = repeat_seeds(random_state, repeats)
    X_tutorial, X_test_tutorial = tutorial_features if tutorial_features is not None else (X, X_test)
    tasks = [
        delayed(run_modal_tutorial)(X_tutorial, y, X_test_tutorial, y_test, n_classes, iterations, batch_size,
                                    seeds[r], r)
        if name == MODAL_TUTORIAL else
        delayed(run_once)(X, y, X_test, y_test, n_classes, name, iterations, batch_size, seeds[r], r, learner,
                          max_candidates, rankable, cold_start, copy_of, multi_label)
        for name, r in (list(runs) if runs is not None else [(n, r) for n in strategies for r in range(repeats)])
    ]
    results = []
    run_all = run_tasks or (lambda calls: Parallel(n_jobs=n_jobs, return_as="generator")(calls))
    for result in run_all(tasks):
        results.append(result)
        if on_run_done is not None:
            on_run_done(result)
    return results


def before_answers(runs: list[RunResult]) -> np.ndarray | None:
    """Mean and std of the zero-shot model's accuracy and F1 over the runs, when every run had one."""
    if not runs or any(r.before_answers is None for r in runs):
        return None
    values = np.asarray([r.before_answers for r in runs], dtype=float)
    return np.array([values[:, 0].mean(), values[:, 0].std(), values[:, 1].mean(), values[:, 1].std()])


def summarize(results: list[RunResult]) -> dict[str, Curve]:
    """Mean ± standard deviation (over repeats) of each strategy's curve."""
    curves: dict[str, Curve] = {}
    for name in dict.fromkeys(r.strategy for r in results):
        runs = [r for r in results if r.strategy == name]
        acc = np.vstack([r.accuracy for r in runs])
        f1 = np.vstack([r.f1 for r in runs])
        stops = [(r.n_labels[r.stop], r.accuracy[r.stop]) for r in runs if r.stop is not None]
        class_f1 = None
        if all(r.class_f1 is not None for r in runs):
            with np.errstate(invalid="ignore"), warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)  # a class without test items: NaN in every run
                class_f1 = np.nanmean(np.stack([r.class_f1 for r in runs]), axis=0)
        distinct = np.mean([r.distinct for r in runs], axis=0) if all(r.distinct is not None for r in runs) else None
        curves[name] = Curve(
            name, runs[0].n_labels, acc.mean(axis=0), acc.std(axis=0), f1.mean(axis=0), f1.std(axis=0),
            float(sum(r.seconds for r in runs)), len(runs),
            np.asarray([s[0] for s in stops], dtype=float), np.asarray([s[1] for s in stops], dtype=float),
            class_f1, distinct,
            np.mean([r.micro_f1 for r in runs], axis=0) if all(r.micro_f1 is not None for r in runs) else None,
            before_answers(runs),
        )
    return curves
