"""Errors of the data layer: one type, whose message names the problem and the fix."""

from altui.engine.errors import AltuiError


class DataError(AltuiError):
    """A data file, a session file or a server answer altui cannot use."""
