"""`altui search`: find texts in a data file or a session's data, by substring, regex or meaning."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.text import Text

from altui.cli.common import check_positive, data_progress, domain_errors, stdout, usage_error
from altui.cli.conventions import value
from altui.cli.options import (
    DataFormat, EmbedderOpt, EncodingOpt, FormatOpt, NoHeaderOpt, Quoting, QuotingOpt, SepOpt, TextColOpt,
)
from altui.tui.text import one_line


@domain_errors
def search(
    source: Annotated[Path, typer.Argument(metavar="DATA_OR_SESSION", help="A CSV, TSV, JSONL or Parquet file of "
                                           "texts, or an altui session (its data file is searched).")],
    query: Annotated[str, typer.Argument(help="What to look for: words (a substring, any case), a regex with "
                                         "--regex, or what the texts are about with --meaning.")],
    meaning: Annotated[bool, typer.Option("--meaning", help="Search by meaning: the texts whose sentence vectors "
                                          "are nearest the query's, best first (needs the embedding model).")]
    = False,
    regex: Annotated[bool, typer.Option("--regex", help="QUERY is a regular expression (case-insensitive).")] = False,
    limit: Annotated[int, typer.Option("-n", "--limit", help="Results to print (0: every match; by meaning, "
                                       "at most 1,000).")] = 20,
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON list of {id, text, score} best first (score: "
                                          "cosine similarity by meaning, null otherwise).")] = False,
    text_col: TextColOpt = None,
    id_col: Annotated[Optional[str], typer.Option("--id-col", help="Column of unique ids (name or 0-based index).")]
    = None,
    sep: SepOpt = None,
    no_header: NoHeaderOpt = False,
    format: FormatOpt = None,
    quoting: QuotingOpt = None,
    encoding: EncodingOpt = None,
    embedder: EmbedderOpt = "wordllama",
) -> None:
    """Find texts: by substring (any case), by regex, or by meaning. Results are the texts' ids, scores and texts.

    \b
    Example: altui search packages.csv "music player" --meaning -n 10 --text-col description
             altui search labels.db 'subscr[i1]be' --regex --json
    """
    from altui.data.files.search import search_texts

    check_positive("-n", limit, minimum=0)
    if meaning and regex:
        raise usage_error("--meaning searches by what texts are about, --regex by their letters: pick one")
    texts, ids, fingerprint, embedder_name, session_vectors = _texts_of(
        source, dict(text_col=text_col, id_col=id_col, sep=sep, header=not no_header, format=value(format),
                     quoting=value(quoting), encoding=encoding), embedder)
    if meaning:
        from altui.data.embeddings.meaning_search import MeaningSearch

        with data_progress() as on_progress:
            index = session_vectors or MeaningSearch.for_texts(texts, fingerprint, embedder_name, on_progress)
        result = index.query(query, limit or 1000)
        rows, scores = result.matches, result.scores
    else:
        result = search_texts(texts, query, regex)
        rows = result.matches[:limit] if limit else result.matches
        scores = [None] * len(rows)
    if as_json:
        found = [{"id": ids[r], "text": texts[r], "score": s} for r, s in zip(rows, scores)]
        sys.stdout.write(json.dumps(found, ensure_ascii=sys.stdout.isatty(), indent=1) + "\n")
        return
    total = len(result.matches)
    what = "nearest in meaning" if meaning else f"{total} match{'es' if total != 1 else ''}"
    stdout.print(Text(f"{what} for {one_line(query, 60)!r}" + (f", the first {len(rows)}" if len(rows) < total and
                                                              not meaning else "")), soft_wrap=True)
    for r, s in zip(rows, scores):
        line = Text()
        if s is not None:
            line.append(f"{s:.3f}  ", style="bold")
        line.append(one_line(ids[r], 24), style="dim")
        line.append("  " + one_line(texts[r], 100))
        stdout.print(line, soft_wrap=True, overflow="ellipsis", no_wrap=True)


def _texts_of(source: Path, read: dict, embedder: str):
    """(texts, ids, fingerprint, embedder, vectors of a session) of a data file, or of a session's data."""
    from altui.data.sessions.session_setup import saved_info

    saved = saved_info(source)
    if saved is None:
        from altui.data.files.table import load_table

        table = load_table(source, read["text_col"], None, read["sep"], read["header"], format=read["format"],
                           quoting=read["quoting"], encoding=read["encoding"], id_col=read["id_col"])
        return table.texts, table.ids, table.fingerprint, embedder, None
    from altui.data.embeddings.meaning_search import MeaningSearch
    from altui.data.sessions.session import LabelingSession

    if any(v is not None for k, v in read.items() if k != "header") or not read["header"]:
        raise usage_error(f"{source} is a session: it reads its data with its own settings; drop the reader "
                          "options")
    session = LabelingSession.resume(source, readonly=True)
    try:
        corpus = session.corpus
        index = MeaningSearch(corpus.vectors, session.embedder) if session.embedder is not None else None
        return corpus.train.texts, corpus.train.ids, corpus.train.fingerprint, embedder, index
    finally:
        session.close()
