"""The names the command line offers (strategies, cold starts, the tutorial's loop) and the defaults.

Light on purpose: no numpy, scipy or scikit-learn, so ``altui --help`` and shell completion start at once.
The modules that implement each name import it from here; a test checks the two agree.
"""

STRATEGY_NAMES = ("uncertainty", "margin", "entropy", "random", "ranked-batch", "typiclust")
DEFAULT_STRATEGY = "typiclust"
"""On more than two classes, TypiClust (typical texts of the clusters no label covers) until 10 labels per class,
then breaking ties (the smallest gap between the two most likely classes); on two classes breaking ties alone,
which ranks exactly as least-confident (uncertainty) does. On many classes it beats random and margin alone
(``bench/bench_many_classes.py``)."""

DEFAULT_LABEL_SET_STRATEGY = "uncertainty"
"""With ``--multi-label``: max-uncertainty over the labels, each batch spread over them
(:mod:`engine.multi_label_strategies`; measured best of the label-set strategies, ``bench/bench_multi_label.py``)."""


def default_strategy(multi_label: bool) -> str:
    return DEFAULT_LABEL_SET_STRATEGY if multi_label else DEFAULT_STRATEGY


def resolve_strategy(name: str, n_classes: int, multi_label: bool = False) -> str:
    """The strategy a session or run records: ``typiclust`` on two classes (or labels) is what it asks there,
    breaking ties (``margin``; with ``--multi-label``, ``uncertainty``), so it is shown and saved by that name."""
    if name == "typiclust" and n_classes <= 2:
        return DEFAULT_LABEL_SET_STRATEGY if multi_label else "margin"
    return name


COLD_START_NAMES = ("random", "kmeans")
DEFAULT_COLD_START = "kmeans"

MODAL_TUTORIAL = "modal-tutorial"
"""``simulate -s modal-tutorial``: the reference tutorial's loop run with modAL itself (``altui[tutorial]``)."""

DEFAULT_MAX_CANDIDATES = 5_000
"""A query scores at most this many unlabeled items: a seeded random subsample of a larger pool."""

MAX_LABELS = 62
"""A multi-label answer (a set of labels) is an int64 bit mask: at most 62 labels (the sign bit and -1, "no
answer", stay out of the way)."""
