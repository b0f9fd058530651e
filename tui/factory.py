"""Build the app (posting's ``make_app``): read the data, open or resume the session, link a server, all before any
UI, so bad input is one line on the command line. The CLI and the tests build the app the same way."""

from __future__ import annotations

from pathlib import Path

from altui.data.files.corpus import load_corpus
from altui.data.files.label_descriptions import check_described_labels
from altui.data.files.seed_terms import check_seed_labels
from altui.data.files.table import label_sort_key
from altui.data.servers.argilla import ArgillaConfig, check_name
from altui.data.servers.rubrix import RubrixConfig, check_dataset_name
from altui.data.sessions.session import LabelingSession, saved_info
from altui.engine.errors import AltuiError
from altui.engine.features import features_for
from altui.engine.names import default_strategy
from altui.tui.app import AltuiApp
from altui.tui.config import LabelConfig
from altui.tui.keys import MAX_LABELS
from altui.tui.notices import os_user, resume_notices
from altui.tui.user_config import load_user_config


def make_app(config: LabelConfig, on_progress=None) -> AltuiApp:
    """Load the data and open (or resume) the session; raises AltuiError on bad input, before any UI.

    ``on_progress(stage, done, total)`` is called while the data is read and vectorized.
    """
    user_config = load_user_config(themes=theme_names())
    saved = saved_info(config.session)
    multi_label = config.multi_label or (saved is not None and saved.multi_label)  # a session keeps its kind
    label_names = list(config.labels) if config.labels else None
    if label_names is None and saved is not None and list(saved.label_values) == list(saved.label_names):
        # a session started with --labels on a file without labels: its names, resumed without --labels (in the
        # order label_set sorts values, so a labeled file's values map to themselves; the session reorders them)
        label_names = sorted(saved.label_names, key=label_sort_key)
    corpus = load_corpus(
        config.data, config.test, text_col=config.text_col, label_col=config.label_col, sep=config.sep,
        header=config.header, label_names=label_names, seed=config.seed,
        format=config.format, quoting=config.quoting, encoding=config.encoding, on_progress=on_progress,
        features=features_for(saved.model if saved else config.model), id_col=config.id_col,
        meta_cols=list(config.meta_cols) if config.meta_cols else None, multi_label=multi_label,
        label_sep=config.label_sep or (saved.label_sep if saved else None),
    )
    if len(corpus.labels) > MAX_LABELS:
        raise AltuiError(
            f"{corpus.train.path}: {len(corpus.labels)} labels, but altui label has keys for {MAX_LABELS}; "
            "merge classes or pick another --label-col"
        )
    if config.seed_terms:
        check_seed_labels(config.seed_terms, corpus.labels)
    if config.label_descriptions:
        check_described_labels(config.label_descriptions, corpus.labels.names, "--label-descriptions")
    session = LabelingSession.open(
        corpus, config.session, strategy=config.strategy or default_strategy(multi_label), model=config.model,
        batch_size=config.batch,
        seed=config.seed, writer=True, label_order=config.labels,
        info_extra={"test_path": str(Path(corpus.test.path).resolve())
                    if corpus.test is not None and not corpus.held_out else None,  # absolute: resumed from anywhere
                    "text_col": config.text_col, "label_col": config.label_col, "sep": config.sep,
                    "header": config.header, "format": config.format, "quoting": config.quoting,
                    "encoding": config.encoding, "max_candidates": config.max_candidates,
                    "cold_start": config.cold_start, "seed_terms": config.seed_terms, "id_col": config.id_col,
                    "meta_cols": list(config.meta_cols) if config.meta_cols else None,
                    "read_encoding": corpus.train.encoding, "annotator": config.annotator or os_user(),
                    "label_sep": config.label_sep, "embedder": config.embedder, "label_prior": config.label_prior,
                    "label_descriptions": config.label_descriptions},
    )
    rubrix = argilla = None
    try:
        if config.rubrix_dataset and config.argilla_dataset:
            raise AltuiError("use --rubrix-dataset or --argilla-dataset, not both")
        if config.rubrix_dataset:
            check_dataset_name(config.rubrix_dataset)
            rubrix = RubrixConfig.from_env(config.rubrix_url, config.rubrix_workspace)
        if config.argilla_dataset:
            check_name(config.argilla_dataset)
            argilla = ArgillaConfig.from_env(config.argilla_url, config.argilla_workspace)
    except AltuiError:
        session.close()
        raise
    return AltuiApp(session, rubrix, config.rubrix_dataset, argilla, config.argilla_dataset,
                    notices=resume_notices(session, config), user_config=user_config)


def make_review_app(path, on_progress=None, conflicts: bool = False) -> AltuiApp:
    """The app on a saved session, opened on the review of its labels (`altui review`), or on a merged
    session's disagreements (`altui review --conflicts`)."""
    user_config = load_user_config(themes=theme_names())
    session = LabelingSession.resume(path, writer=True, on_progress=on_progress)
    if session.multi_label and not conflicts:
        session.close()
        raise AltuiError(f"{path} is a multi-label session; altui review ranks single labels so far (review "
                         "--conflicts adjudicates merged sets): change a label set in the app's history (h)")
    if conflicts and not session.store.team_answers():
        session.close()
        raise AltuiError(f"{path} is not a merged session: make one with `altui merge A.db B.db -o team.db`")
    return AltuiApp(session, review="conflicts" if conflicts else True, user_config=user_config)


def theme_names() -> set[str]:
    from textual.theme import BUILTIN_THEMES

    return set(BUILTIN_THEMES)
