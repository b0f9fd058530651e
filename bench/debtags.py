"""Three corpora from Debian's package index and its debtags, built on any Debian machine (data stays out of the repo).

- ``debtags-use`` (single label, 16 classes; held out while margin was chosen, then used to develop TypiClust,
  issue 19): text = the package's one-line description, label = its ``use::`` tag, for packages with exactly
  one of the 16 most common ``use::`` tags.
- ``debtags-works`` (single label, 14 classes; built after the default was chosen, to check it on unseen data):
  the same with the ``works-with::`` tag (``text``, ``audio``, ``mail``, ``db``, ``software:source`` ...); of the
  16 most common tags, 14 are some package's only one.
- ``debtags-multi`` (multi-label, issue 22): text = one-line description plus the first paragraph of the long
  one, labels = the package's ``works-with::`` tags folded to their first part (``image:raster`` -> ``image``),
  the 10 most common; packages with at least one of them. JSONL with a ``labels`` list.

All: one package per source package name's first binary, shuffled with seed 7 and split 80/20.

usage: python bench/debtags.py [--out .bench-data]   (reads ``apt-cache dumpavail``)
"""

from __future__ import annotations

import argparse
import collections
import csv
import json
import re
import subprocess
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
TAG = re.compile(r"^Tag: (.*(?:\n .*)*)", re.M)
FIELD = re.compile(r"^(Package|Description): (.*(?:\n .*)*)", re.M)


def packages() -> list[tuple[str, str, str, list[str]]]:
    """(package, one-line description, long description's first paragraph, tags) for every tagged package."""
    dump = subprocess.run(["apt-cache", "dumpavail"], capture_output=True, check=True).stdout
    seen, rows = set(), []
    for record in dump.decode("utf-8", "replace").split("\n\n"):
        tags = TAG.search(record)
        fields = dict(FIELD.findall(record))
        if not tags or "Package" not in fields or "Description" not in fields or fields["Package"] in seen:
            continue
        seen.add(fields["Package"])
        lines = fields["Description"].split("\n")
        long = []
        for line in lines[1:]:
            if line.strip() == ".":
                break
            long.append(line.strip())
        rows.append((fields["Package"], lines[0].strip(), " ".join(long),
                     [t.strip() for t in tags.group(1).replace("\n", " ").split(",") if t.strip()]))
    return rows


def split(rows: list, out: Path, write) -> tuple[Path, Path]:
    order = np.random.RandomState(7).permutation(len(rows))
    cut = int(0.8 * len(rows))
    out.mkdir(parents=True, exist_ok=True)
    return tuple(write(out, name, [rows[i] for i in part]) for name, part in (("train", order[:cut]),
                                                                              ("test", order[cut:])))


def write_csv(out: Path, name: str, rows: list, label_header: str = "use") -> Path:
    path = out / f"{name}.csv"
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["package", "description", label_header])
        writer.writerows(rows)
    return path


def write_jsonl(out: Path, name: str, rows: list) -> Path:
    path = out / f"{name}.jsonl"
    with open(path, "w", encoding="utf-8") as fh:
        for package, text, labels in rows:
            fh.write(json.dumps({"package": package, "text": text, "labels": labels}) + "\n")
    return path


def one_tag_of(facet: str, rows, out: Path, name: str, header: str) -> tuple[Path, Path]:
    """Packages with exactly one tag of ``facet`` (``use::``), one of its 16 most common (not ``TODO``)."""
    counts = collections.Counter(t for *_, tags in rows for t in tags if t.startswith(facet))
    top = set([t for t, _ in counts.most_common() if t != f"{facet}TODO"][:16])  # most_common: ties in first-seen order
    picked = []
    for package, short, _, tags in rows:
        mine = [t for t in tags if t.startswith(facet)]
        if len(mine) == 1 and mine[0] in top:
            picked.append((package, short, mine[0].removeprefix(facet)))
    return split(picked, out / name, lambda o, n, r: write_csv(o, n, r, header))


def debtags_use(out: Path, rows=None) -> tuple[Path, Path]:
    return one_tag_of("use::", rows if rows is not None else packages(), out, "debtags-use", "use")


def debtags_works(out: Path, rows=None) -> tuple[Path, Path]:
    """Held out for the final check of the many-class default (issue 19): built after it was chosen."""
    return one_tag_of("works-with::", rows if rows is not None else packages(), out, "debtags-works", "works_with")


def debtags_multi(out: Path, rows=None) -> tuple[Path, Path]:
    rows = rows if rows is not None else packages()

    def folded(tags):
        return sorted({t.removeprefix("works-with::").split(":")[0] for t in tags if t.startswith("works-with::")}
                      - {"TODO"})

    counts = collections.Counter(label for *_, tags in rows for label in folded(tags))
    top = [label for label, _ in counts.most_common(10)]
    picked = []
    for package, short, long, tags in rows:
        labels = [label for label in folded(tags) if label in top]
        if labels:
            picked.append((package, f"{short}. {long}".strip(), labels))
    return split(picked, out / "debtags-multi", write_jsonl)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=ROOT / ".bench-data")
    args = parser.parse_args()
    rows = packages()
    for paths in (debtags_use(args.out, rows), debtags_works(args.out, rows), debtags_multi(args.out, rows)):
        print(*paths)


if __name__ == "__main__":
    main()
