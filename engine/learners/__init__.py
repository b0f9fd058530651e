"""The learners and their registry: a name (``--model``) to a learner, importing only the one asked for.

Importing this module is light (no scikit-learn): the CLI reads :data:`MODELS` for its help and completion.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from altui.engine.learners.base import Learner

MODELS = ("auto", "nblr", "svm", "nb", "logreg")
"""Names accepted by :func:`make_learner`, the default first: ``auto`` = ``nblr`` for two classes, ``svm`` for
more (chosen by measurement, ``bench/bench_many_classes.py``); ``nblr`` = NB-LR (logistic regression on naive
Bayes-scaled binary word and char n-grams); ``svm`` = a linear SVM on the same n-grams, L2-normalised, with
probabilities from a fitted temperature; ``nb`` = multinomial naive Bayes on word 1-5-gram counts (the
tutorial's model; incremental); ``logreg`` = logistic regression on those counts."""
DEFAULT_MODEL = MODELS[0]


MULTI_LABEL_MODEL = "svm"
"""Label sets (``--multi-label``) are learned by one balanced linear SVM per label
(:class:`engine.learners.multi_label.MultiLabelSVMLearner`): ``auto`` and ``svm`` name it."""


def resolve_model(model: str, n_classes: int, multi_label: bool = False) -> str:
    """The learner ``model`` names for ``n_classes`` classes: ``auto`` becomes ``nblr`` or ``svm``."""
    if model == "auto":
        return "svm" if multi_label or n_classes > 2 else "nblr"
    return model


def reads_vectors(model: str, n_classes: int, multi_label: bool = False) -> bool:
    """True for the learners that read sentence vectors beside the n-grams: the many-class SVM and the label sets'
    SVMs (measured in ``bench/bench_many_classes.py`` and ``bench/bench_multi_label.py``). Two classes keep NB-LR
    on n-grams: vectors did not help there."""
    return resolve_model(model, n_classes, multi_label) == "svm"


def make_learner(model: str, n_classes: int, multi_label: bool = False, class_prototypes=None) -> Learner:
    from altui.engine.errors import ConfigError

    model = resolve_model(model, n_classes, multi_label)
    if multi_label:
        if model != MULTI_LABEL_MODEL:
            raise ConfigError(f"--multi-label learns with --model {MULTI_LABEL_MODEL} (one SVM per label); "
                              f"{model!r} is single-label: use --model auto or svm")
        from altui.engine.learners.multi_label import MultiLabelSVMLearner

        return MultiLabelSVMLearner(n_classes=n_classes)
    if model == "nblr":
        from altui.engine.learners.nb_logistic import NBLogisticLearner

        return NBLogisticLearner(n_classes=n_classes)
    if model == "svm":
        from altui.engine.learners.linear_svm import LinearSVMLearner

        return LinearSVMLearner(n_classes=n_classes, class_prototypes=class_prototypes)
    if model == "nb":
        from altui.engine.learners.naive_bayes import MultinomialNBLearner

        return MultinomialNBLearner(n_classes=n_classes)
    if model == "logreg":
        from sklearn.linear_model import LogisticRegression

        from altui.engine.learners.base import SklearnLearner

        # liblinear in the dual: its cost follows the labeled rows, not the pool's million columns (lbfgs
        # took 3.4 s per round on a 100,000-comment pool, this takes milliseconds)
        return SklearnLearner(LogisticRegression(solver="liblinear", dual=True, max_iter=1000, random_state=0),
                              n_classes=n_classes)
    raise ConfigError(f"unknown model {model!r}: choose one of {', '.join(MODELS)}")
