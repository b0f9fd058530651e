"""The one domain exception type of altui, and the specific cases the engine raises.

Every user-facing failure in altui is an :class:`AltuiError` whose message names the problem and the fix;
the CLI and the TUI render it once (one line), never as a traceback.
"""


class AltuiError(Exception):
    """Base class of every error altui reports to a person."""


class ConfigError(AltuiError, ValueError):
    """A parameter is out of range or unknown (batch size, strategy name, ...)."""


class EmptyPoolError(AltuiError):
    """The pool has no items at all."""


class PoolExhaustedError(AltuiError):
    """Every item of the pool has been answered (labeled or skipped): nothing is left to query."""
