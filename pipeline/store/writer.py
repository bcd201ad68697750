"""The single writer. A refresh never touches the live file: it builds `<db>.tmp-<pid>`, applies the run,
checkpoints, and `os.replace`s it onto `<db>`. A crash or kill at any point leaves the previous file as it was.

The new file starts as a byte copy of the previous one when its tables match `sql/schema.sql` (seconds at Hub
scale); otherwise it is built from `sql/schema.sql` and every row of the previous file is copied in by column
name (the migration path). Pages are staged in batches; at commit, `models` is rebuilt in one INSERT … SELECT
(staged rows + rows not seen this run + the enriched columns) instead of DELETE/INSERT/UPDATE over millions of
rows. Phase timings are logged at INFO ("store phases (s): …"); BENCHMARKS.md has the figures.
"""

from __future__ import annotations

import logging
import os
import shutil
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

import duckdb
import orjson
import polars as pl

from pipeline import __version__
from pipeline.database import load_sql, quote_literal
from pipeline.ingest.normalize import Batch
from pipeline.paths import sidecar
from pipeline.store import history as history_store
from pipeline.store.runlog import RUN_FIELDS

log = logging.getLogger(__name__)

STAGE_TABLES = ("_stage_models", "_stage_lineage")
# Written by classify.enrich over all models on every refresh, so a config change applies everywhere.
ENRICHED_COLUMNS = (
    "params_total", "params_active", "params_source", "params_flags", "license", "license_tier",
    "is_language_model", "size_band", "model_class", "memory_bf16_gb", "memory_4bit_gb", "device_class",
    "family_root",
)  # fmt: skip
# The tags classify.enrich reads (pipeline/sizing.py: every `_has_tag(...)`, plus sizing.MOE_TAGS); only these reach it.
# tests/test_pipeline.py checks the list against sizing.py, so a tag sizing starts reading is not missed.
ENRICH_TAGS = (
    "4-bit", "8-bit", "mlx", "gptq", "awq", "mxfp4", "nvfp4", "bitsandbytes", "peft", "lora",
)  # fmt: skip
# Written after the schema and the data: SQL the DB file carries (macros, views) and rollups for the dashboard.
DERIVED_SQL = ("macros", "views", "rollups")


def latest_run_id(db: Path) -> int:
    if not db.exists():
        return 0
    con = duckdb.connect()
    try:
        con.execute(f"ATTACH {quote_literal(str(db))} AS old (READ_ONLY)")
        row = con.sql("SELECT coalesce(max(run_id), 0) FROM old.refresh_runs").fetchall()
        return int(row[0][0])
    finally:
        con.close()


def remove_stale_temp_files(db: Path) -> None:
    """Files left by killed refreshes. Only called while holding the refresh lock."""
    for leftover in db.parent.glob(db.name + ".tmp-*"):
        log.info("removing %s, left by an earlier refresh that did not finish", leftover.name)
        leftover.unlink(missing_ok=True)


class Writer:
    """Builds the next DB file. Use as a context manager; `commit()` swaps it in, anything else discards it."""

    def __init__(self, db: Path, run: dict[str, Any], storage_version: str | None = None) -> None:
        self.db = db
        self.tmp = sidecar(db, f".tmp-{os.getpid()}")
        self.run = run
        self.storage_version = storage_version
        self.snapshot_at: datetime = run["started_at"]
        self.models_seen = 0
        self.committed = False
        self.timings: dict[str, float] = {}  # seconds per phase, logged at commit (bench/ reads the line)
        self.con = duckdb.connect()

    @contextmanager
    def _phase(self, name: str) -> Iterator[None]:
        started = time.perf_counter()
        log.debug("store phase %s", name)
        try:
            yield
        finally:
            self.timings[name] = self.timings.get(name, 0.0) + time.perf_counter() - started

    def __enter__(self) -> Writer:
        self.tmp.unlink(missing_ok=True)
        # No memory_limit: at 1GB a steady-state 3M-model refresh (90M snapshot rows) failed with OutOfMemory
        # (not every operator spills); DuckDB's default (80% of RAM) is kept. Spills go beside the file.
        self.con.execute(f"SET temp_directory = {quote_literal(str(sidecar(self.tmp, '.spill')))}")
        self.con.execute("SET preserve_insertion_order = false")
        with self._phase("copy_previous"):
            copied = self._copy_file_if_compatible()
        options = f" (STORAGE_VERSION {quote_literal(self.storage_version)})" if self.storage_version else ""
        self.con.execute(f"ATTACH {quote_literal(str(self.tmp))} AS new{options}")
        self.con.execute("USE new")
        if copied:
            self._drop_derived()
        self.con.execute(load_sql("schema"))
        if self.db.exists() and not copied:
            with self._phase("copy_previous"):
                self._copy_previous()
        self.con.execute("CREATE TABLE _stage_models AS SELECT * FROM models LIMIT 0")
        self.con.execute("CREATE TABLE _stage_lineage AS SELECT * FROM model_lineage LIMIT 0")
        return self

    def __exit__(self, exc_type: object, *exc: object) -> None:
        self.con.close()
        shutil.rmtree(sidecar(self.tmp, ".spill"), ignore_errors=True)
        if not self.committed:
            for path in (self.tmp, sidecar(self.tmp, ".wal")):
                path.unlink(missing_ok=True)

    def _copy_file_if_compatible(self) -> bool:
        """Start from a byte copy of the previous file when its tables are exactly those of sql/schema.sql (same
        columns, same types, same order; tables the schema added since are created after): copying a 3M-model,
        90M-snapshot file takes about a second, re-inserting its rows took minutes and gigabytes (the snapshot
        table's primary-key index is rebuilt row by row). Anything else (an older layout, a requested storage
        version, a leftover WAL) takes the row-by-row path of `_copy_previous`, which migrates by column name."""
        if not self.db.exists() or self.storage_version or sidecar(self.db, ".wal").exists():
            return False
        layout = _table_layout(self.db)
        if layout != _schema_layout(layout):
            log.info("the previous file's tables differ from sql/schema.sql: copying its rows by column name")
            return False
        shutil.copyfile(self.db, self.tmp)
        return True

    def _drop_derived(self) -> None:
        """In a copied file: drop what DERIVED_SQL and the stage create (they are rebuilt at commit) and tables
        the schema no longer has, so the copy holds exactly what a fresh file would."""
        schema_tables = set(_schema_columns())
        for name, kind in self.con.sql(
            "SELECT view_name, 'VIEW' FROM duckdb_views() WHERE database_name = 'new' AND NOT internal "
            "UNION ALL SELECT table_name, 'TABLE' FROM duckdb_tables() WHERE database_name = 'new'"
        ).fetchall():
            if kind == "VIEW" or name not in schema_tables:
                self.con.execute(f'DROP {kind} IF EXISTS new.main."{name}"')
        for (name,) in self.con.sql(
            "SELECT DISTINCT function_name FROM duckdb_functions() WHERE database_name = 'new' "
            "AND function_type IN ('macro', 'table_macro')"
        ).fetchall():
            self.con.execute(f'DROP MACRO TABLE IF EXISTS new.main."{name}"')
            self.con.execute(f'DROP MACRO IF EXISTS new.main."{name}"')

    def _copy_previous(self) -> None:
        self.con.execute(f"ATTACH {quote_literal(str(self.db))} AS old (READ_ONLY)")
        for (table,) in self.con.sql(
            "SELECT table_name FROM duckdb_tables() WHERE database_name = 'new' AND NOT temporary"
        ).fetchall():
            old_cols = {
                name
                for (name,) in self.con.sql(
                    "SELECT column_name FROM duckdb_columns() WHERE database_name='old' AND table_name=$t",
                    params={"t": table},
                ).fetchall()
            }
            new_cols = [
                name
                for (name,) in self.con.sql(
                    "SELECT column_name FROM duckdb_columns() WHERE database_name='new' AND table_name=$t "
                    "ORDER BY column_index",
                    params={"t": table},
                ).fetchall()
            ]
            shared = ", ".join(f'"{c}"' for c in new_cols if c in old_cols)
            if shared:
                self.con.execute(f'INSERT INTO new."{table}" ({shared}) SELECT {shared} FROM old."{table}"')
        self.con.execute("DETACH old")

    def _with_frames(self, sql: str, parameters: dict[str, Any] | None = None, **frames: pl.DataFrame) -> None:
        """Run `sql` with polars frames visible under explicit names (never shadowing a table)."""
        for name, frame in frames.items():
            self.con.register(name, frame)
        try:
            self.con.execute(sql, parameters)
        finally:
            for name in frames:
                self.con.unregister(name)

    # -- adding what the run saw -------------------------------------------------------------------------

    def add_batch(self, batch: Batch) -> None:
        """Stage one normalized batch (bounded memory: batches go to disk as they come)."""
        with self._phase("stage"):
            self._stage(batch)

    def _stage(self, batch: Batch) -> None:
        if batch.models.height:
            self._with_frames(
                "INSERT INTO _stage_models BY NAME SELECT *, $at AS first_seen_at, $at AS last_seen_at, "
                "$run AS last_run_id, $origin AS origin FROM batch_models",
                {"at": self.snapshot_at, "run": self.run["run_id"], "origin": self.run.get("origin", "hub")},
                batch_models=batch.models,
            )
            self.models_seen += batch.models.height
        if batch.lineage.height:
            self._with_frames(
                "INSERT INTO _stage_lineage BY NAME SELECT * FROM batch_lineage", batch_lineage=batch.lineage
            )
        if batch.rejected.height:
            self._with_frames(
                "INSERT INTO rejected_records BY NAME SELECT $run AS run_id, $at AS rejected_at, * FROM batch_rejected",
                {"run": self.run["run_id"], "at": self.snapshot_at},
                batch_rejected=batch.rejected,
            )

    def add_history(self, history: pl.DataFrame) -> None:
        """Recorded snapshot rows (model_id, snapshot_date, series, downloads_30d, likes, …) with real dates."""
        history_store.add_recorded_history(self.con, self.run["run_id"], history)

    def add_reference(self, reference: pl.DataFrame) -> None:
        self._with_frames("INSERT OR REPLACE INTO reference_params BY NAME SELECT * FROM ref", ref=reference)

    def add_lineage(self, lineage: pl.DataFrame) -> None:
        """Links known from outside the records (e.g. the catalog's GGUF links)."""
        self._with_frames("INSERT INTO model_lineage BY NAME SELECT * FROM links ON CONFLICT DO NOTHING", links=lineage)

    # -- finishing ---------------------------------------------------------------------------------------

    def commit(
        self,
        series: str | None,
        journal_runs: list[dict[str, Any]],
        enrich: Callable[..., Any],
        facts: dict[str, str] | None = None,
    ) -> dict[str, int]:
        """Merge the staged run into the tables, enrich, record the run and `facts` (schema_info key → value, e.g.
        the configured SLM boundary the SQL macros default to), swap the file in. Returns counts."""
        with self._phase("merge"):
            counts = self._merge(series)
        with self._phase("enrich"):
            enriched = self._enrich(enrich)
        with self._phase("rebuild_models"):
            self._rebuild_models(enriched)
        self._record_runs(journal_runs, counts)
        for name in DERIVED_SQL:
            with self._phase(name):
                self.con.execute(load_sql(name))
        for key, value in {**(facts or {}), "hubscope_version": __version__}.items():
            self.con.execute("INSERT OR REPLACE INTO schema_info VALUES ($k, $v)", parameters={"k": key, "v": value})
        with self._phase("checkpoint"):
            for table in STAGE_TABLES:
                self.con.execute(f"DROP TABLE {table}")
            self.con.execute("CHECKPOINT new")
            self.con.execute("USE memory")
            self.con.execute("DETACH new")
            self.con.close()
        swap_in(self.tmp, self.db)
        self.committed = True  # from here on the new file is live, whatever happens next
        log.info("store phases (s): %s", " ".join(f"{k}={v:.2f}" for k, v in self.timings.items()))
        return counts

    # All models after this run: what the run saw (first_seen_at kept from before) and what it did not see.
    _MERGED = (
        "(SELECT s.* REPLACE (coalesce(m.first_seen_at, s.first_seen_at) AS first_seen_at) "
        "FROM _stage_models s LEFT JOIN models m USING (model_id) "
        "UNION ALL BY NAME SELECT m.* FROM models m ANTI JOIN _stage_models s USING (model_id))"
    )

    def _merge(self, series: str | None) -> dict[str, int]:
        """Lineage and snapshot rows of the run go in; `models` itself is rebuilt in one pass afterwards."""
        con = self.con
        new = con.sql("SELECT count(*) FROM _stage_models s ANTI JOIN models m USING (model_id)").fetchall()[0][0]
        # Links from the records replace the ones those records gave before; outside links stay.
        con.execute(
            "DELETE FROM model_lineage WHERE source IN ('baseModels', 'cardData', 'tag') "
            "AND child_id IN (SELECT model_id FROM _stage_models)"
        )
        con.execute("INSERT INTO model_lineage BY NAME SELECT * FROM _stage_lineage ON CONFLICT DO NOTHING")
        if series is not None:  # a recorded snapshot brings its own dated history instead
            history_store.append_run_snapshot(con, self.run["run_id"], self.snapshot_at, series)
        snapshot_rows = history_store.run_snapshot_rows(con, self.run["run_id"])
        rejected = con.sql(
            "SELECT count(*) FROM rejected_records WHERE run_id = $r", params={"r": self.run["run_id"]}
        ).fetchall()[0][0]
        return {
            "models_seen": self.models_seen,
            "models_new": int(new),
            "models_rejected": int(rejected),
            "snapshot_rows": int(snapshot_rows),
        }

    def _enrich(self, enrich: Callable[..., Any]) -> pl.DataFrame:
        """classify.enrich over every model (so a config change applies everywhere); returns model_id + the
        ENRICHED_COLUMNS. Only the tags enrich reads are passed (ENRICH_TAGS): the full tags column of 3M
        models is ~45M strings, the largest thing a refresh would otherwise hold in memory."""
        from pipeline.enrich.sizing import MOE_TAGS

        tags = ", ".join(quote_literal(t) for t in (*ENRICH_TAGS, *MOE_TAGS))
        inputs = self.con.sql(
            "SELECT model_id, author, pipeline_tag, library_name, "
            f"list_filter(tags, lambda t: t IN ({tags})) AS tags, license_raw, safetensors_total, "
            "CAST(safetensors_dtypes AS VARCHAR) AS safetensors_dtypes, gguf_total, gguf_architecture, "
            f"base_models, base_relation, downloads_30d FROM {self._MERGED}"
        ).pl()
        lineage = self.con.sql("SELECT child_id, parent_id, relation, source FROM model_lineage").pl()
        reference = self.con.sql("SELECT * FROM reference_params").pl()
        enriched, params_sources = enrich(inputs, lineage, reference)
        del inputs, lineage
        self.con.execute("DELETE FROM model_params_sources")
        self._with_frames("INSERT INTO model_params_sources BY NAME SELECT * FROM sources", sources=params_sources)
        return enriched.select("model_id", *ENRICHED_COLUMNS)

    def _rebuild_models(self, enriched: pl.DataFrame) -> None:
        """The next `models` in one INSERT … SELECT (no DELETE, no UPDATE of millions of rows): merged rows, the
        enriched columns, and first_seen_at moved back to the earliest snapshot this run recorded (a model first
        seen in recorded history was seen before this run)."""
        (ddl,) = self.con.sql(
            "SELECT sql FROM duckdb_tables() WHERE database_name = 'new' AND table_name = 'models'"
        ).fetchall()[0]
        head = ddl.index("(")
        self.con.execute(f"CREATE TABLE _models_next{ddl[head:]}")
        replace = ", ".join(f"e.{c} AS {c}" for c in ENRICHED_COLUMNS)
        self._with_frames(
            "INSERT INTO _models_next BY NAME "
            "WITH h AS (SELECT model_id, min(snapshot_at) AS first_at FROM model_snapshots WHERE run_id = $r "
            "GROUP BY ALL) "
            f"SELECT x.* REPLACE (least(x.first_seen_at, coalesce(h.first_at, x.first_seen_at)) AS first_seen_at, "
            f"{replace}) FROM {self._MERGED} x LEFT JOIN h USING (model_id) LEFT JOIN enriched e USING (model_id)",
            {"r": self.run["run_id"]},
            enriched=enriched,
        )
        self.con.execute("DROP TABLE models")
        self.con.execute("ALTER TABLE _models_next RENAME TO models")

    def _record_runs(self, journal_runs: list[dict[str, Any]], counts: dict[str, int]) -> None:
        known = {r for (r,) in self.con.sql("SELECT run_id FROM refresh_runs").fetchall()}
        this = {**self.run, **counts, "status": "ok", "finished_at": self.run.get("finished_at")}
        rows = [r for r in journal_runs if r["run_id"] not in known and r["run_id"] != self.run["run_id"]]
        for row in [*rows, this]:
            values = {k: row.get(k) for k in RUN_FIELDS}
            values["filters"] = orjson.dumps(values["filters"] or {}).decode()
            values["status"] = "failed" if values["status"] == "running" else values["status"]
            cols = ", ".join(values)
            self.con.execute(
                f"INSERT INTO refresh_runs ({cols}) VALUES ({', '.join('$' + k for k in values)})", parameters=values
            )


def _layout(con: duckdb.DuckDBPyConnection, database: str) -> dict[str, list[tuple[str, str]]]:
    tables: dict[str, list[tuple[str, str]]] = {}
    for table, column, dtype in con.sql(
        "SELECT table_name, column_name, data_type FROM duckdb_columns() WHERE database_name = $d "
        "ORDER BY table_name, column_index",
        params={"d": database},
    ).fetchall():
        tables.setdefault(table, []).append((column, dtype))
    # Keys and uniques too: a file from before a key was dropped or added is migrated row by row.
    for table, kind, columns in con.sql(
        "SELECT table_name, constraint_type, array_to_string(constraint_column_names, ',') FROM duckdb_constraints() "
        "WHERE database_name = $d AND constraint_type IN ('PRIMARY KEY', 'UNIQUE') ORDER BY ALL",
        params={"d": database},
    ).fetchall():
        tables.setdefault(table, []).append((f"#{kind}", columns))
    return tables


@cache
def _schema_columns() -> dict[str, list[tuple[str, str]]]:
    """Tables and columns sql/schema.sql creates, in order."""
    con = duckdb.connect()
    try:
        con.execute(load_sql("schema"))
        return _layout(con, "memory")
    finally:
        con.close()


def _table_layout(db: Path) -> dict[str, list[tuple[str, str]]]:
    """The schema tables as they are in `db` (tables the schema does not have are left out)."""
    con = duckdb.connect()
    try:
        con.execute(f"ATTACH {quote_literal(str(db))} AS old (READ_ONLY)")
        wanted = _schema_columns()
        return {t: cols for t, cols in _layout(con, "old").items() if t in wanted}
    finally:
        con.close()


def _schema_layout(present: dict[str, list[tuple[str, str]]]) -> dict[str, list[tuple[str, str]]]:
    """What those same tables look like in sql/schema.sql (tables missing from the file are created later)."""
    wanted = _schema_columns()
    return {t: wanted[t] for t in present}


def swap_in(tmp: Path, db: Path) -> None:
    """Make the finished file `tmp` the DB: durable on disk first, then one atomic rename, then the directory."""
    _fsync(tmp)
    os.replace(tmp, db)
    _fsync(db.parent)


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
