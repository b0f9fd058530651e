"""The file formats and quoting styles altui reads, by name: light (no pandas), for ``--help`` and completion."""

FORMATS = ("csv", "tsv", "jsonl", "parquet")
EXTENSIONS = {
    ".csv": "csv", ".tsv": "tsv", ".tab": "tsv", ".jsonl": "jsonl", ".ndjson": "jsonl", ".parquet": "parquet",
    ".pq": "parquet",
}
QUOTING = ("csv", "none")
SEPARATOR_NAMES = {",": "','", "\t": "tab", ";": "';'", "|": "'|'"}  # how errors name a separator
