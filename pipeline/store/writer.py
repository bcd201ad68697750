"""The single writer. A refresh never touches the live file: it builds the next file through an atomic rebuild
(pipeline/store/rebuild.py), applies the run, and swaps it in. A crash or kill at any point leaves the previous
file as it was.

How the new file starts (pipeline/store/start.py): a byte copy of the previous file with the migrations it lacks
applied (seconds at Hub scale), or, for another storage version, a copy of its whole database into that
version; a file from before migrations starts from the baseline migration with its rows copied by column name.
Pages are staged in batches; `merge` adds the run's lineage and snapshot rows; enrichment is a stage the refresh
runs between `enrich_inputs` and `apply_enrichment`, which rebuilds `models` in one INSERT … SELECT; `commit`
writes the config tables, the run records and the derived SQL, then swaps. Phase timings are logged at INFO
("store phases (s): …"); BENCHMARKS.md has the figures.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

import orjson
import polars as pl

from pipeline import __version__
from pipeline.database import Database, load_sql, quote_literal
from pipeline.ingest.normalize import Batch
from pipeline.store import history as history_store
from pipeline.store import start
from pipeline.store.rebuild import STORAGE_VERSION_DEFAULT, Rebuild, quote_identifier
from pipeline.store.runlog import RUN_FIELDS, RunRecord

log = logging.getLogger(__name__)

STAGE_TABLES = ("_stage_models", "_stage_lineage")
# Run after the schema and the data, in this order: SQL the DB file carries (macros, views) and derived tables.
DERIVED_SQL = ("macros", "views", "daily_downloads", "rollups")
_INSERT_SOURCES = "INSERT INTO model_params_sources BY NAME SELECT * FROM sources_next"


def latest_run_id(db: Path) -> int:
    if not db.exists():
        return 0
    with Database(db) as ro:
        return int(ro.query("SELECT coalesce(max(run_id), 0) AS n FROM hub.refresh_runs")["n"][0])


class Writer:
    """Builds the next DB file. Use as a context manager; `commit()` swaps it in, anything else discards it."""

    def __init__(
        self,
        db: Path,
        run: dict[str, Any],
        storage_version: str | None = None,
        memory: str | None = None,
        as_of: datetime | None = None,
    ) -> None:
        self.db = db
        self.run = run
        self.storage_version = storage_version or STORAGE_VERSION_DEFAULT
        self.snapshot_at: datetime = as_of or run["started_at"]  # microseconds kept
        self.models_seen = 0
        self.counts: dict[str, int] = {}
        self.timings: dict[str, float] = {}  # seconds per phase, logged at commit (bench/ reads the line)
        self._rebuild = Rebuild(db, storage_version=self.storage_version, memory=memory)
        self.tmp = self._rebuild.tmp
        self.con = self._rebuild.con

    @property
    def committed(self) -> bool:
        """True once the new file is live (whatever happens after)."""
        return self._rebuild.committed

    @contextmanager
    def phase(self, name: str) -> Iterator[None]:
        started = time.perf_counter()
        log.debug("store phase %s", name)
        try:
            yield
        finally:
            self.timings[name] = self.timings.get(name, 0.0) + time.perf_counter() - started

    def __enter__(self) -> Writer:
        with self.phase("copy_previous"):
            start.open_next(self._rebuild, self.con)
        try:
            # Temp tables: staged rows are read back a few times and never kept, so they are not compressed
            # into the file (that write cost as much as writing `models` itself); past the cap they spill.
            for table, source in (("_stage_models", "models"), ("_stage_lineage", "model_lineage")):
                self.con.execute(f"CREATE TEMP TABLE {table} AS SELECT * FROM {source} LIMIT 0")
        except BaseException:
            self._rebuild.__exit__(None, None, None)
            raise
        return self

    def __exit__(self, *exc: Any) -> None:
        self._rebuild.__exit__(*exc)

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
        with self.phase("stage"):
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

    # -- merging and enrichment --------------------------------------------------------------------------

    # All models after this run: what the run saw (first_seen_at kept from before) and what it did not see.
    _MERGED = (
        "(SELECT s.* REPLACE (coalesce(m.first_seen_at, s.first_seen_at) AS first_seen_at) "
        "FROM _stage_models s LEFT JOIN {prev} m USING (model_id) "
        "UNION ALL BY NAME SELECT m.* FROM {prev} m ANTI JOIN _stage_models s USING (model_id))"
    )

    def merge(self, series: str | None) -> dict[str, int]:
        """Lineage and snapshot rows of the run go in (`series`: the series of the run's counts; None when the
        source brought its own dated history); `models` itself is rebuilt by apply_enrichment. Returns counts."""
        with self.phase("merge"):
            con = self.con
            new = con.sql("SELECT count(*) FROM _stage_models s ANTI JOIN models m USING (model_id)").fetchall()[0][0]
            con.execute(load_sql("store/merge_lineage"))
            if series is not None:
                history_store.append_run_snapshot(con, self.run["run_id"], self.snapshot_at, series)
            rejected = con.sql(
                "SELECT count(*) FROM rejected_records WHERE run_id = $r", params={"r": self.run["run_id"]}
            ).fetchall()[0][0]
            self.counts = {
                "models_seen": self.models_seen,
                "models_new": int(new),
                "models_rejected": int(rejected),
                "snapshot_rows": history_store.run_snapshot_rows(con, self.run["run_id"]),
            }
        return self.counts

    def enrich_inputs(
        self, columns: tuple[str, ...], tags: tuple[str, ...]
    ) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
        """(models, lineage, reference) for enrichment: every model after this run with only `columns` (JSON
        columns as text) and only the `tags` enrichment reads (the full tags column of 3M models is ~45M
        strings, the largest thing a refresh would otherwise hold in memory)."""
        with self.phase("enrich_inputs"):
            types = start.schema_columns()["models"]
            unknown = [c for c in columns if c not in types]
            if unknown:
                raise ValueError(f"enrichment asks for columns models does not have: {unknown}")
            picked = ["model_id", *(c for c in columns if c != "model_id")]
            wanted = ", ".join(quote_literal(t) for t in tags)
            exprs = [
                f"list_filter(tags, lambda t: t IN ({wanted or 'NULL'})) AS tags"
                if c == "tags"
                else (f"CAST({quote_identifier(c)} AS VARCHAR) AS {quote_identifier(c)}" if types[c] == "JSON" else
                      quote_identifier(c))
                for c in picked
            ]  # fmt: skip
            merged = self._MERGED.format(prev="models")
            models = self.con.sql(f"SELECT {', '.join(exprs)} FROM {merged}").pl()
            lineage = self.con.sql("SELECT child_id, parent_id, relation, source FROM model_lineage").pl()
            reference = self.con.sql("SELECT * FROM reference_params").pl()
        return models, lineage, reference

    def apply_enrichment(self, enriched: pl.DataFrame, params_sources: pl.DataFrame) -> None:
        """Store every source's parameter count and rebuild `models` with the enriched columns (`enriched`:
        model_id + columns of `models` that enrichment writes, e.g. pipeline.enrich.ENRICHED_COLUMNS)."""
        columns = [c for c in enriched.columns if c != "model_id"]
        unknown = [c for c in columns if c not in start.schema_columns()["models"]]
        if unknown or "model_id" not in enriched.columns:
            raise ValueError(f"enrichment returned columns models does not have: {unknown or ['(no model_id)']}")
        with self.phase("rebuild_models"):
            (stored,) = self.con.sql("SELECT count(*) FROM model_params_sources").fetchall()[0]
            # into an empty table the frame goes as it is (enrich sorts it by key); else only what changed
            sql = load_sql("store/params_sources") if stored else _INSERT_SOURCES
            self._with_frames(sql, sources_next=params_sources)
            self._rebuild_models(enriched, columns)

    def _rebuild_models(self, enriched: pl.DataFrame, columns: list[str]) -> None:
        """The next `models` in one INSERT … SELECT (no DELETE, no UPDATE of millions of rows) into a table
        created from OUR schema (never DDL read from the previous file): merged rows, the enriched columns, and
        first_seen_at moved back to the earliest snapshot this run recorded."""
        self.con.execute("ALTER TABLE models RENAME TO _models_prev")
        self.con.execute(start.schema_statement("models"))
        replace = ", ".join(f"e.{quote_identifier(c)} AS {quote_identifier(c)}" for c in columns)
        merged = self._MERGED.format(prev="_models_prev")
        self._with_frames(
            "INSERT INTO models BY NAME "
            "WITH h AS (SELECT model_id, min(snapshot_at) AS first_at FROM model_snapshots_of_run($r) "
            "GROUP BY ALL) "
            f"SELECT x.* REPLACE (least(x.first_seen_at, coalesce(h.first_at, x.first_seen_at)) AS first_seen_at, "
            f"{replace}) FROM {merged} x LEFT JOIN h USING (model_id) LEFT JOIN enriched e USING (model_id)",
            {"r": self.run["run_id"]},
            enriched=enriched,
        )
        self.con.execute("DROP TABLE _models_prev")

    def write_config_tables(self, tables: dict[str, pl.DataFrame]) -> None:
        """The rules the run used (enrichment's `config.tables()`), as tables the macros and dashboard read."""
        for name, frame in tables.items():
            self._with_frames(f"CREATE OR REPLACE TABLE {quote_identifier(name)} AS SELECT * FROM frame", frame=frame)

    # -- finishing ---------------------------------------------------------------------------------------

    def commit(self, journal_runs: list[RunRecord], facts: dict[str, str] | None = None) -> dict[str, int]:
        """Record the run (and journal runs the file lacks), the `facts` (schema_info key → value), the derived
        SQL; swap the file in. Returns the run's counts."""
        self._record_runs(journal_runs)
        for name in DERIVED_SQL:
            with self.phase(name):
                self.con.execute(load_sql(name))
        for key, value in {**(facts or {}), "hubscope_version": __version__}.items():
            self.con.execute("INSERT OR REPLACE INTO schema_info VALUES ($k, $v)", parameters={"k": key, "v": value})
        with self.phase("checkpoint"):
            for table in STAGE_TABLES:
                self.con.execute(f"DROP TABLE temp.{table}")
            self._rebuild.commit()
        log.info("store phases (s): %s", " ".join(f"{k}={v:.2f}" for k, v in self.timings.items()))
        return self.counts

    def _record_runs(self, journal_runs: list[RunRecord]) -> None:
        known = {r for (r,) in self.con.sql("SELECT run_id FROM refresh_runs").fetchall()}
        this = {**self.run, **self.counts, "status": "ok", "finished_at": self.run.get("finished_at")}
        rows = [r.row() for r in journal_runs if r.run_id not in known and r.run_id != self.run["run_id"]]
        for row in [*rows, this]:
            values = {k: row.get(k) for k in RUN_FIELDS}
            values["filters"] = orjson.dumps(values["filters"] or {}).decode()
            values["status"] = "failed" if values["status"] == "running" else values["status"]
            cols = ", ".join(values)
            self.con.execute(
                f"INSERT INTO refresh_runs ({cols}) VALUES ({', '.join('$' + k for k in values)})", parameters=values
            )
