"""Label descriptions: one line per label that says what it means ("x11: the X Window System and its tools").

Read from a UTF-8 text file (``--label-descriptions FILE``): ``LABEL: description`` per line, ``#`` starts a comment,
blank lines are skipped, a byte-order mark is allowed. Stored in the session, so every annotator reads the same.
They are the label-name prior's text (``engine.learners.linear_svm``'s class prototypes: name, then description).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from altui.data.errors import DataError

MAX_DESCRIPTION = 300  # characters: one line beside the legend


def read_label_descriptions(path: str | Path) -> dict[str, str]:
    """Label name -> its description, from ``path`` (in file order; a label given twice is an error)."""
    path = Path(path)
    try:
        lines = path.read_text(encoding="utf-8-sig").splitlines()
    except FileNotFoundError:
        raise DataError(f"--label-descriptions {path}: no such file; give a text file of 'LABEL: description' "
                        "lines") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise DataError(f"cannot read label descriptions from {path} ({exc}); pass a UTF-8 text file") from None
    out: dict[str, str] = {}
    for number, line in enumerate(lines, 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        label, sep, description = line.partition(":")
        label, description = label.strip(), " ".join(description.split())
        if not sep or not label or not description:
            raise DataError(f"{path}:{number}: {line.strip()[:60]!r} is not 'LABEL: description'; e.g. "
                            "'x11: the X Window System and its tools'")
        if label in out:
            raise DataError(f"{path}:{number}: label {label!r} is described twice; keep one line per label")
        if len(description) > MAX_DESCRIPTION:
            raise DataError(f"{path}:{number}: the description of {label!r} is {len(description)} characters; keep "
                            f"it to one line of at most {MAX_DESCRIPTION}")
        out[label] = description
    return out


def check_described_labels(descriptions: dict[str, str], names: Sequence[str], where: str) -> None:
    """Every described label is one of ``names`` (a typo is refused, never ignored)."""
    unknown = [label for label in descriptions if label not in names]
    if unknown:
        raise DataError(f"{where} describes {', '.join(repr(u) for u in unknown)}, not a label of this data; the "
                        f"labels are {', '.join(names)}")
