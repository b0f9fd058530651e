"""The reference tutorial's loop, run with modAL itself: ``altui simulate -s modal-tutorial``.

"Active learning with modAL and scikit-learn": a modAL ``ActiveLearner`` around ``MultinomialNB`` over word
1-5-gram counts; each iteration queries ``batch`` items by uncertainty over the *whole* pool (items taught
before can be asked again: the pool is never reduced), teaches them (modAL refits on everything taught so
far) and scores the test set. Run beside altui's own strategies, it shows the tutorial's result and
altui's side by side in one command. Its stability (kappa on the stop set) is measured as altui's is.
"""

from __future__ import annotations

import time
import warnings

import numpy as np

from altui.engine.metrics import accuracy, confusion, f1_per_class, macro_f1
from altui.engine.names import MODAL_TUTORIAL  # noqa: F401
from altui.engine.stopping import draw_stop_set, stability_kappa


def check_modal_installed() -> None:
    """One clear line when modAL is not installed (it is an extra: ``altui[tutorial]``)."""
    import importlib.util

    from altui.engine.errors import ConfigError

    if importlib.util.find_spec("modAL") is None:
        raise ConfigError("-s modal-tutorial runs the tutorial's loop with modAL, which is not installed: "
                          "pip install 'altui[tutorial]' (it needs scikit-learn < 1.8)")


def run_modal_tutorial(X, y, X_test, y_test, n_classes: int, iterations: int, batch_size: int, seed: int,
                       repeat: int = 0):
    """One run of the tutorial's loop; returns an :class:`engine.simulate.RunResult`.

    modAL breaks ties by position (its ``multi_argmax``) and has no seed of its own, so ``seed`` only draws
    the stop set: repeats of this loop are identical, as the tutorial's runs are.
    """
    check_modal_installed()
    from modAL.models import ActiveLearner
    from modAL.uncertainty import uncertainty_sampling
    from sklearn.naive_bayes import MultinomialNB

    from altui.engine.simulate import RunResult

    stop_set = draw_stop_set(X.shape[0], seed)
    learner = ActiveLearner(estimator=MultinomialNB(), query_strategy=uncertainty_sampling)
    n_labels, acc, f1, kappa, queried, per_class, distinct = [], [], [], [], [], [], []
    seen: set[int] = set()
    previous = None
    started = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)  # modAL passes an argument scikit-learn renamed
        for iteration in range(iterations):
            picked, _ = learner.query(X, n_instances=batch_size)
            picked = np.asarray(picked, dtype=np.int64)
            learner.teach(X=X[picked], y=y[picked])
            matrix = confusion(np.asarray(y_test), learner.predict(X_test), n_classes)
            predictions = learner.predict(X[stop_set])
            kappa.append(stability_kappa(previous, predictions, n_classes))
            previous = predictions
            n_labels.append((iteration + 1) * batch_size)
            acc.append(accuracy(matrix))
            f1.append(macro_f1(matrix))
            per_class.append(f1_per_class(matrix))
            queried.append(picked)
            seen.update(picked.tolist())
            distinct.append(len(seen))  # the tutorial never removes what it asked: it may ask it again
    seconds = time.perf_counter() - started
    return RunResult(MODAL_TUTORIAL, repeat, np.asarray(n_labels), np.asarray(acc), np.asarray(f1), queried,
                     seconds, np.asarray(kappa), None, np.asarray(per_class, dtype=float), np.asarray(distinct))
