"""What the app says when it opens a saved session, and who is labeling."""

from __future__ import annotations

from altui.data.sessions.session import LabelingSession
from altui.tui.config import LabelConfig


def os_user() -> str | None:
    import getpass

    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no user name in this environment: sessions are then told apart by file
        return None


def resume_notices(session: LabelingSession, config: LabelConfig) -> list[str]:
    """What to say when a saved session is resumed: where it stands, and the settings it kept."""
    store = session.store
    if not store.n_events():
        return []
    info = store.info
    loop = session.loop
    notices = [f"resumed {store.path.name}: {loop.pool.n_labeled} labeled, {loop.pool.n_skipped} skipped, "
               f"round {loop.round_ + 1}"]
    from altui.engine.learners import resolve_model

    from altui.engine.names import default_strategy, resolve_strategy

    wanted = (resolve_strategy(config.strategy or default_strategy(session.multi_label), len(session.labels),
                               session.multi_label), config.batch,
              resolve_model(config.model, len(session.labels), session.multi_label))
    if (info.strategy, info.batch_size, info.model) != wanted:
        notices.append(f"the session keeps its own settings: strategy {info.strategy}, model {info.model}, "
                       f"batch {info.batch_size} (start a new --session for others)")
    this_round = sum(1 for a in loop.answers_ if a.round == loop.round_ and a.label is not None)
    if this_round and loop.learner.is_ready:
        notices.append(f"the model now knows this round's {this_round} answers too: a resume teaches it every "
                       "saved answer, so its guesses can differ from before you quit")
    return notices
