"""altui: build a text-classification training set with active learning, in the terminal.

The package's folders are the design's layers: ``engine`` (learner logic), ``data`` (the outside world), ``tui``
(the Textual app) and ``cli`` (the ``altui`` command). Importing ``altui`` itself loads nothing else.
"""

__version__ = "0.1.0"
