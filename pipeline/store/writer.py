"""The single writer. A refresh never touches the live file: it builds the next file through an atomic rebuild
(pipeline/store/rebuild.py), applies the run, and swaps it in. A crash or kill at any point leaves the previous
file as it was.

How the new file starts (pipeline/store/start.py): a byte copy of the previous file with the migrations it lacks
applied (seconds at Hub scale), or, for another storage version, a copy of its whole database into that
version; a file from before migrations starts from the baseline migration with its rows copied by column name.
Pages are staged in batches; `merge` adds the run's lineage and snapshot rows; `enrich` streams every model
through enrichment's steps in chunks (results in an in-memory scratch database) and rebuilds `models` from it in
one INSERT … SELECT; `commit`
writes the config tables, the run records and the derived SQL, then swaps. Phase timings are logged at INFO
("store phases (s): …"); BENCHMARKS.md has the figures.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

import orjson
import polars as pl

from pipeline import __version__
from pipeline.database import Database, load_sql, quote_literal, run_derived
from pipeline.ingest.normalize import Batch
from pipeline.store import history as history_store
from pipeline.store import start
from pipeline.store.rebuild import STORAGE_VERSION_DEFAULT, Rebuild, quote_identifier
from pipeline.store.runlog import RUN_FIELDS, RunRecord

log = logging.getLogger(__name__)

STAGE_TABLES = ("_stage_models", "_stage_lineage")
# Run after the schema and the data, in this order: SQL the DB file carries (macros, views) and derived tables.
DERIVED_SQL = ("macros", "views", "daily_downloads", "rollups")
_INSERT_SOURCES = "INSERT INTO model_params_sources BY NAME SELECT * FROM sources_next ORDER BY model_id, source"
# DuckDB's share of its cap while enrichment's Python steps run beside it (a chunk's rows and rules, the walks'
# keys: a few hundred MB at 3M models); the process's peak then stays near the cap instead of cap + Python.
ENRICH_DUCKDB_SHARE = 0.625
SCRATCH = "enrich_scratch"  # the in-memory database enrichment's passes write to (sql/enrich/*.sql name it)


class EnrichPasses(Protocol):
    """Enrichment's steps as the writer runs them (pipeline/enrich/stream.py Passes)."""

    def reference_counts(self, reference: pl.DataFrame | None) -> pl.DataFrame | None: ...
    def own(self, chunk: pl.DataFrame, ref: pl.DataFrame | None) -> tuple[pl.DataFrame, pl.DataFrame]: ...
    def links(
        self, own: pl.DataFrame, edges: pl.DataFrame, reference: pl.DataFrame | None
    ) -> tuple[pl.DataFrame, pl.DataFrame]: ...
    def finish(self, part: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]: ...


def rechunk(reader: Any, rows: int) -> Iterator[pl.DataFrame]:
    """Frames of at most `rows` rows from an Arrow batch reader, in order (a batch is converted once, never
    concatenated with the next); one empty frame when it has no rows, so the steps' tables always exist."""
    sent = False
    for batch in reader:
        frame = pl.from_arrow(batch)
        assert isinstance(frame, pl.DataFrame)
        for offset in range(0, frame.height, rows):
            yield frame.slice(offset, rows)
            sent = True
    if not sent:
        empty = pl.from_arrow(reader.schema.empty_table())
        assert isinstance(empty, pl.DataFrame)
        yield empty


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

    def enrich(self, columns: tuple[str, ...], tags: tuple[str, ...], passes: EnrichPasses, chunk_rows: int) -> None:
        """Enrich every model after this run in chunks of `chunk_rows` and rebuild `models` with the result.

        `passes` is enrichment's three steps (pipeline/enrich/stream.py): the row-local ones see one chunk of
        models at a time (only `columns`, JSON as text, only the `tags` enrichment reads), their results go to an
        in-memory scratch database (spilling past the cap like temp tables), and the walks see integer keys only;
        no step holds every model's wide rows in Python."""
        self._rebuild.attach_scratch(SCRATCH)
        try:
            with self._rebuild.squeezed(ENRICH_DUCKDB_SHARE), self.phase("enrich_inputs"):
                ref = passes.reference_counts(self.con.sql("SELECT * FROM reference_params").pl())
                self._stream(
                    self._input_select(columns, tags), chunk_rows, lambda c: passes.own(c, ref), ("own", "base_links")
                )
            with self._rebuild.squeezed(ENRICH_DUCKDB_SHARE), self.phase("enrich"):
                self._enrich_links(passes, ref)
                self._stream(load_sql("enrich/finish_inputs"), chunk_rows, passes.finish, ("enriched", "sources"))
            with self.phase("rebuild_models"):
                self._store_params_sources()
                enriched = self.con.sql(f"SELECT * FROM {SCRATCH}.enriched LIMIT 0").columns
                self._rebuild_models([c for c in enriched if c != "model_id"])
        finally:
            self._rebuild.detach(SCRATCH)

    def _input_select(self, columns: tuple[str, ...], tags: tuple[str, ...]) -> str:
        """Every model after this run with only `columns` (JSON columns as text) and only the `tags` enrichment
        reads (the full tags column of 3M models is ~45M strings)."""
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
        return f"SELECT {', '.join(exprs)} FROM {self._MERGED.format(prev='models')}"

    def _stream(
        self,
        select: str,
        chunk_rows: int,
        step: Callable[[pl.DataFrame], tuple[pl.DataFrame, ...]],
        tables: tuple[str, ...],
    ) -> None:
        """Run `step` over `select`'s rows in chunks, appending its frames to the scratch `tables`. The query
        streams on this connection while a cursor (same database, sees the scratch database) writes."""
        out = self.con.cursor()
        try:
            reader = self.con.sql(select).to_arrow_reader(chunk_rows)
            for n, chunk in enumerate(rechunk(reader, chunk_rows)):
                for table, frame in zip(tables, step(chunk), strict=True):
                    verb = f"CREATE TABLE {SCRATCH}.{table} AS" if n == 0 else f"INSERT INTO {SCRATCH}.{table}"
                    out.register("_part", frame)
                    try:
                        out.execute(f"{verb} SELECT * FROM _part")
                    finally:
                        out.unregister("_part")
        finally:
            out.close()

    def _enrich_links(self, passes: EnrichPasses, reference: pl.DataFrame | None) -> None:
        """The walks (lineage inheritance, family roots) over integer keys; their results go back to scratch."""
        if reference is None:
            reference = pl.DataFrame(schema={"model_id": pl.String, "ref_total": pl.Int64, "ref_active": pl.Int64})
        self.con.register("enrich_reference", reference)
        try:
            self.con.execute(load_sql("enrich/links"))
            own = self.con.sql(load_sql("enrich/keyed_own")).pl()
            edges = self.con.sql(load_sql("enrich/keyed_edges")).pl()
            ref = self.con.sql(load_sql("enrich/keyed_reference")).pl()
        finally:
            self.con.unregister("enrich_reference")
        inherited, roots = passes.links(own, edges, ref if ref.height else None)
        del own, edges, ref
        for table, frame in (("inherited", inherited), ("roots", roots)):
            self._with_frames(f"CREATE TABLE {SCRATCH}.{table} AS SELECT * FROM _part", _part=frame)

    def _store_params_sources(self) -> None:
        """Every source's parameter count: into an empty table as it is (in key order), else only what changed."""
        (stored,) = self.con.sql("SELECT count(*) FROM model_params_sources").fetchall()[0]
        self.con.execute(f"CREATE TEMP VIEW sources_next AS SELECT * FROM {SCRATCH}.sources")
        try:
            self.con.execute(load_sql("store/params_sources") if stored else _INSERT_SOURCES)
        finally:
            self.con.execute("DROP VIEW sources_next")

    def _rebuild_models(self, columns: list[str]) -> None:
        """The next `models` in one INSERT … SELECT (no DELETE, no UPDATE of millions of rows) into a table
        created from OUR schema (never DDL read from the previous file): merged rows, the enriched columns, and
        first_seen_at moved back to the earliest snapshot this run recorded."""
        unknown = [c for c in columns if c not in start.schema_columns()["models"]]
        if unknown:
            raise ValueError(f"enrichment returned columns models does not have: {unknown}")
        self.con.execute("ALTER TABLE models RENAME TO _models_prev")
        self.con.execute(start.schema_statement("models"))
        replace = ", ".join(f"e.{quote_identifier(c)} AS {quote_identifier(c)}" for c in columns)
        merged = self._MERGED.format(prev="_models_prev")
        self.con.execute(
            "INSERT INTO models BY NAME "
            "WITH h AS (SELECT model_id, min(snapshot_at) AS first_at FROM model_snapshots_of_run($r) "
            "GROUP BY ALL) "
            f"SELECT x.* REPLACE (least(x.first_seen_at, coalesce(h.first_at, x.first_seen_at)) AS first_seen_at, "
            f"{replace}) FROM {merged} x LEFT JOIN h USING (model_id) LEFT JOIN {SCRATCH}.enriched e USING (model_id)",
            {"r": self.run["run_id"]},
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
                run_derived(self.con, name)
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
