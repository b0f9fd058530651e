"""Reading files: CSV, TSV, JSONL, Parquet and the YouTube download into a corpus; the feature cache; what commands write."""
