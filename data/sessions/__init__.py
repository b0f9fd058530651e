"""Sessions: the SQLite store, its schema and lock, the session that keeps loop, corpus and store in step."""
