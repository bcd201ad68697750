"""HubScope pipeline: Hugging Face Hub model metadata into one DuckDB file."""

__version__ = "0.1.0"
