"""Extract pipelines: read (Polars) -> validate (data contracts) -> load (one DuckDB transaction)."""
