"""Runs: simulate grids (TOML) and where runs go (joblib processes or a dask cluster)."""
