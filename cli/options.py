"""The options several commands share (Typer ``Annotated`` aliases) and their choices; light to import."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from altui.cli.conventions import choices
from altui.data.files.formats import FORMATS, QUOTING
from altui.engine.learners import MODELS
from altui.engine.names import COLD_START_NAMES as COLD_STARTS, MODAL_TUTORIAL, STRATEGY_NAMES as STRATEGIES

DataArg = Annotated[
    Optional[Path],
    typer.Argument(help="CSV, TSV, JSONL or Parquet file of texts. Default: the YouTube Spam Collection (downloaded once)."),
]
TestOpt = Annotated[Optional[Path], typer.Option("--test", help="Test CSV (same columns). Default: hold out 20 %.")]
TextColOpt = Annotated[Optional[str], typer.Option("--text-col", help="Text column: name or 0-based index.")]
LabelColOpt = Annotated[Optional[str], typer.Option("--label-col", help="Label column: name or 0-based index.")]
SepOpt = Annotated[Optional[str], typer.Option("--sep", help="Separator: , | tab | ; (default: sniffed).")]
NoHeaderOpt = Annotated[bool, typer.Option("--no-header", help="The file has no header row.")]
DataFormat = choices("DataFormat", FORMATS)
Quoting = choices("Quoting", QUOTING)
Model = choices("Model", MODELS)
ColdStart = choices("ColdStart", COLD_STARTS)
Strategy = choices("Strategy", STRATEGIES)
Backend = choices("Backend", ("loky", "dask"))
ExportFormat = choices("ExportFormat", ("csv", "jsonl"))
SimulatedStrategy = choices("SimulatedStrategy", [*STRATEGIES, MODAL_TUTORIAL])
FormatOpt = Annotated[
    Optional[DataFormat], typer.Option("--format", help="The file's format (default: from its extension).")
]
QuotingOpt = Annotated[
    Optional[Quoting],
    typer.Option("--quoting", help="csv: quotes enclose fields; none: quotes are text (default for tab-separated)."),
]
EncodingOpt = Annotated[
    Optional[str], typer.Option("--encoding", help="Text encoding (default: BOM, else UTF-8, else detected: cp1251, Shift-JIS, …).")
]
CandidatesOpt = Annotated[
    int,
    typer.Option("--candidates", help="A query scores at most this many unlabeled items (a seeded random "
                 "subsample of a larger pool); 0 = all."),
]
ColdStartOpt = Annotated[
    ColdStart, typer.Option("--cold-start", help="First batches, before the model has seen two labels: kmeans (one "
                      "comment per cluster: covers the kinds of texts) or random."),
]
SeedTermsOpt = Annotated[
    Optional[list[str]],
    typer.Option("--seed-terms", help="LABEL=term,term (repeatable), or a file of such lines: the first batches "
                 "take comments containing each label's terms, so a rare label is found at once."),
]
SeedOpt = Annotated[int, typer.Option("--seed", help="Random seed (cold start, random strategies, hold-out).")]
BatchOpt = Annotated[int, typer.Option("--batch", help="Comments per round.")]
MultiLabelOpt = Annotated[bool, typer.Option("--multi-label", help="A text can have several labels (or none): the "
                                             "label column holds sets, as JSON lists or joined by --label-sep. "
                                             "Fixed when a session is created.")]
LabelSepOpt = Annotated[Optional[str], typer.Option("--label-sep", help="With --multi-label: what joins the labels "
                                                    "of a cell that is not a JSON list (default ;).")]
ModelOpt = Annotated[
    Model, typer.Option("--model", help="auto (default): nblr for two labels, svm for more; nblr: NB-LR on word "
                      "and char n-grams; svm: a linear SVM on those n-grams (learns fastest with many labels); nb: "
                      "the tutorial's naive Bayes on word 1-5-gram counts; logreg: logistic regression on those "
                      "counts. A resumed session keeps its model."),
]


EmbedderOpt = Annotated[
    str, typer.Option("--embedder", help="Sentence vectors for the many-class model (meaning, not only words): "
                      "wordllama (default: the static model shipped in its wheel, nothing is downloaded), none "
                      "(n-grams only), or a folder holding a static model (tokenizer.json + model.safetensors). A "
                      "resumed session keeps its own."),
]
LabelDescriptionsOpt = Annotated[
    Optional[Path], typer.Option("--label-descriptions", help="A text file of 'LABEL: description' lines: what each "
                                 "label means, read by the label-name prior (and stored in a new session).")]
LabelPriorOpt = Annotated[
    bool, typer.Option("--label-prior/--no-label-prior", help="Start from the label names (and --label-"
                       "descriptions): the model suggests a label before the first answer; their say fades as "
                       "answers come. Many-class model only."),
]
