"""Where things live. The DB path comes from --db, else $HUBSCOPE_DB, else data/hub.duckdb in the repo."""

from __future__ import annotations

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
SQL_DIR = REPO_ROOT / "sql"
DATA_DIR = REPO_ROOT / "data"
DEFAULT_DB = DATA_DIR / "hub.duckdb"
DEFAULT_SNAPSHOT = DATA_DIR / "snapshot"
CONFIG_FILE = REPO_ROOT / "config" / "hubscope.toml"


def db_path(explicit: str | os.PathLike[str] | None = None) -> Path:
    """The DB file to use: an explicit path wins, then $HUBSCOPE_DB, then the default."""
    chosen = explicit or os.environ.get("HUBSCOPE_DB") or DEFAULT_DB
    return Path(chosen).expanduser().resolve()


def sidecar(db: Path, suffix: str) -> Path:
    """A file that belongs to the DB file: `<db>.lock`, `<db>.runs.jsonl`, `<db>.tmp-<pid>`."""
    return db.with_name(db.name + suffix)
