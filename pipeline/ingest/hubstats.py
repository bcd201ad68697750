"""The hub-stats dump as a source: `cfahlgren1/hub-stats` `models.parquet`, the whole Hub's model list, one file a
day, each day a commit of the dataset repo (so past days are past revisions).

The file is read columnar: DuckDB `read_parquet` → the checks of sql/hubstats/rows.sql (the same rules as
pipeline/ingest/normalize.py, as column expressions) → the writer's staging tables, all in SQL on the writer's
connection. No per-record Python. The snapshot time is the revision's commit time; for a local file without a
revision it is the newest `lastModified` in the file (a copy's mtime says nothing about the data; the dump of day
D holds edits up to D), see data/README.md.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb

from pipeline.database import load_sql, quote_ident, quote_literal, scratch

if TYPE_CHECKING:
    from pipeline.store.writer import Writer

log = logging.getLogger(__name__)

DEFAULT_REPO = "cfahlgren1/hub-stats"
DEFAULT_FILE = "models.parquet"
# A file with fewer rows cannot be the whole Hub of any date this importer meets (the Hub passed 1M models in
# 2024): such a file (e.g. the bundled 4,167-row sample) is imported as a selection, is_full = False.
WHOLE_HUB_MIN_ROWS = 1_000_000
# Columns without which a file is not the dump (reported as "another schema", the revision is skipped).
REQUIRED = ("id", "downloads", "likes", "tags")
_INTEGER = ("BIGINT", "INTEGER", "UBIGINT", "UINTEGER", "SMALLINT", "USMALLINT", "TINYINT", "UTINYINT", "HUGEINT")
_TEXT_COLUMNS = {  # canonical name -> dump column (plain text)
    "id_raw": "id", "author_raw": "author", "pipeline_tag_raw": "pipeline_tag",
    "library_name_raw": "library_name", "sha_raw": "sha",
}  # fmt: skip
_MACROS = ("hs_valid_id", "hs_repr", "hs_cap", "hs_first_each", "hs_source")  # sql/hubstats/macros.sql
_COUNT_COLUMNS = {"downloads_raw": "downloads", "all_time_raw": "downloadsAllTime", "likes_raw": "likes"}


class HubStatsSchemaError(ValueError):
    """The file is not in the dump's schema; the message names the column."""


@dataclass
class HubStatsSource:
    """One `models.parquet` of the dump: a local file, or a revision of the dataset repo (downloaded on `fetch`)."""

    path: Path | None
    repo_id: str = DEFAULT_REPO
    filename: str = DEFAULT_FILE
    revision: str | None = None  # the commit sha, when the file is a revision of the repo
    committed_at: datetime | None = None  # that commit's time (naive UTC)
    endpoint: str | None = None
    token: str | None = field(default=None, repr=False)
    cache_dir: Path | None = None  # None: huggingface_hub's cache
    full: bool | None = None  # None: decided from the row count (WHOLE_HUB_MIN_ROWS)
    origin: str = "hub-stats"
    series: str | None = "hub"  # a dump is the whole Hub: its counts sit beside crawls in the hub series

    # -- what it is -------------------------------------------------------------------------------------
    @property
    def is_full(self) -> bool:
        if self.full is None:
            self.full = self.rows() >= WHOLE_HUB_MIN_ROWS
        return self.full

    @property
    def as_of(self) -> datetime | None:
        if self.committed_at is not None:
            return self.committed_at
        newest = self._scalar("SELECT max(lastModified) FROM read_parquet({path})")
        if isinstance(newest, datetime):
            return newest.astimezone(UTC).replace(tzinfo=None) if newest.tzinfo else newest
        return None

    def describe(self) -> str:
        scope = "whole Hub" if self.is_full else "a selection, NOT the whole Hub"
        if self.revision:
            return f"hub-stats:{self.repo_id}@{self.revision} {self.filename} ({scope})"
        return f"hub-stats:file {self.path} ({scope})"

    def filters(self) -> dict[str, Any]:
        asked: dict[str, Any] = {"repo_id": self.repo_id, "filename": self.filename}
        if self.revision:
            asked["revision"] = self.revision
        else:
            asked["path"] = str(self.path)
        return asked

    def expected_models(self) -> int | None:
        return self.rows() if self.path is not None else None

    def rows(self) -> int:
        return int(self._scalar("SELECT count(*) FROM read_parquet({path})"))

    # -- reading ----------------------------------------------------------------------------------------
    def fetch(self) -> Path:
        """Download the revision's file (once) with huggingface_hub, the client's progress bar included."""
        if self.path is None:
            from huggingface_hub import hf_hub_download

            local = hf_hub_download(
                self.repo_id, self.filename, repo_type="dataset", revision=self.revision or "main",
                endpoint=self.endpoint, token=self.token, cache_dir=self.cache_dir,
            )  # fmt: skip
            self.path = Path(str(local))
        return self.path

    def columns(self) -> dict[str, str]:
        """The file's columns and their DuckDB types; raises HubStatsSchemaError when it is not the dump."""
        con = scratch()
        try:
            found = {
                name: dtype
                for name, dtype, *_ in con.sql(f"DESCRIBE SELECT * FROM read_parquet({self._literal()})").fetchall()
            }
        except duckdb.Error as err:
            raise HubStatsSchemaError(f"{self.fetch().name} is not a readable parquet file: {err}") from None
        finally:
            con.close()
        missing = [c for c in REQUIRED if c not in found]
        if missing:
            raise HubStatsSchemaError(f"not the hub-stats schema: no column {', '.join(missing)}")
        return found

    def check(self) -> dict[str, str]:
        """The file's columns, once it is known they map onto the dump's shape (else HubStatsSchemaError)."""
        columns = self.columns()
        _projection(columns)
        return columns

    def stage(self, writer: Writer, progress: Any) -> int:
        with writer.phase("stage"):
            staged, total = self._stage(writer)
        writer.models_seen += staged
        progress.update(total)
        log.info("hub-stats: %d rows staged, %d rejected", staged, total - staged)
        return 1

    def _stage(self, writer: Writer) -> tuple[int, int]:
        """(rows staged, rows read). Each statement's seconds are logged ("hub-stats staging (s): …", bench/
        reads the line)."""
        columns = self.check()
        con = writer.con
        file = f"read_parquet({self._literal()}, file_row_number = true)"
        con.execute(f"CREATE OR REPLACE TEMP VIEW _hs_raw AS SELECT {_projection(columns)} FROM {file}")
        bind = {"at": writer.snapshot_at, "run": writer.run["run_id"]}
        steps = {
            "macros": {}, "rows": {"now": datetime.now(UTC).replace(tzinfo=None)}, "duplicates": {},
            "stage_models": {**bind, "origin": self.origin}, "stage_lineage": {}, "rejected": bind,
        }  # fmt: skip
        spent: dict[str, float] = {}
        try:
            for name, params in steps.items():
                if name == "rejected":  # the file's records of the bad rows only (their structs built after the join)
                    _file_records(con, file, columns)
                started = time.perf_counter()
                con.execute(load_sql(f"hubstats/{name}"), params or None)
                spent[name] = time.perf_counter() - started
            staged, total = con.sql("SELECT count(*) FILTER (reason IS NULL), count(*) FROM _hs_rows").fetchall()[0]
        finally:
            for view in ("_hs_raw", "_hs_file"):
                con.execute(f"DROP VIEW IF EXISTS temp.{view}")
            con.execute("DROP TABLE IF EXISTS temp._hs_rows")
            for macro in _MACROS:
                con.execute(f"DROP MACRO IF EXISTS temp.{macro}")
        log.info("hub-stats staging (s): %s", " ".join(f"{k}={v:.2f}" for k, v in spent.items()))
        return int(staged), int(total)

    def _literal(self) -> str:
        return quote_literal(str(self.fetch()))

    def _scalar(self, sql: str) -> Any:
        con = scratch()
        try:
            return con.sql(sql.format(path=self._literal())).fetchall()[0][0]
        finally:
            con.close()


def _file_records(con: duckdb.DuckDBPyConnection, file: str, columns: dict[str, str]) -> None:
    """Temp view `_hs_file` (rn, record): the rejected rows of `_hs_rows` as the file holds them."""
    record = ", ".join(f"{quote_literal(c)}: {quote_ident(c)}" for c in columns)
    con.execute(
        f"CREATE OR REPLACE TEMP VIEW _hs_file AS SELECT rn, {{{record}}} AS record FROM (SELECT file_row_number "
        f"AS rn, * FROM {file} WHERE file_row_number IN (SELECT rn FROM _hs_rows WHERE reason IS NOT NULL))"
    )


def _projection(columns: dict[str, str]) -> str:
    """The file's columns onto the canonical shape sql/hubstats/rows.sql reads (absent optional ones: NULL).
    Types the dump has used are accepted; anything else is "another schema"."""

    def text(name: str) -> str:
        dtype = columns.get(name)
        if dtype is None:
            return "NULL::VARCHAR"
        return quote_ident(name) if dtype == "VARCHAR" else f"CAST({quote_ident(name)} AS VARCHAR)"

    def count(name: str) -> str:
        dtype = columns.get(name)
        if dtype is None:
            return "NULL::BIGINT"
        if dtype not in _INTEGER:
            raise HubStatsSchemaError(f"not the hub-stats schema: {name} is {dtype}, expected an integer")
        return f"CAST({quote_ident(name)} AS BIGINT)"

    parts = ["file_row_number AS rn"]
    parts += [f"{text(col)} AS {alias}" for alias, col in _TEXT_COLUMNS.items()]
    parts += [f"{count(col)} AS {alias}" for alias, col in _COUNT_COLUMNS.items()]
    parts += [
        f"{_timestamp(columns, 'createdAt')} AS created_raw",
        f"{_timestamp(columns, 'lastModified')} AS modified_raw",
        f"{_typed(columns, 'trendingScore', 'DOUBLE')} AS trending_raw",
        f"{_typed(columns, 'private', 'BOOLEAN')} AS private_raw",
        f"{_typed(columns, 'disabled', 'BOOLEAN')} AS disabled_raw",
        *_gated(columns),
        f"{_tags(columns)} AS tags_raw",
        f"{_json_text(columns, 'cardData')} AS card_raw",
        f"{_json_text(columns, 'gguf')} AS gguf_raw",
        *_safetensors(columns),
        *_base_models(columns),
    ]
    return ", ".join(parts)


def _typed(columns: dict[str, str], name: str, dtype: str) -> str:
    if name not in columns:
        return f"NULL::{dtype}"
    return f"TRY_CAST({quote_ident(name)} AS {dtype})"


def _timestamp(columns: dict[str, str], name: str) -> str:
    dtype = columns.get(name)
    if dtype is None:
        return "NULL::TIMESTAMP"
    if dtype == "TIMESTAMP WITH TIME ZONE":
        return f"timezone('UTC', {quote_ident(name)})"
    if dtype.startswith("TIMESTAMP"):
        return f"CAST({quote_ident(name)} AS TIMESTAMP)"
    if dtype == "VARCHAR":  # ISO strings: offsets converted to UTC, naive values taken as UTC
        return f"timezone('UTC', TRY_CAST({quote_ident(name)} AS TIMESTAMPTZ))"
    raise HubStatsSchemaError(f"not the hub-stats schema: {name} is {dtype}, expected a timestamp")


def _gated(columns: dict[str, str]) -> list[str]:
    """gated_raw (text) and gated_number. The dump has no gated column today; one that comes is taken as the
    Hub's values: booleans (false → "no", true → "manual", what older clients wrote), the text 'false'/'true'
    as those booleans, 'auto'/'manual'; any other text or a number (`0` is not false) is a bad record."""
    dtype = columns.get("gated")
    if dtype is None:
        return ["NULL::VARCHAR AS gated_raw", "false AS gated_number"]
    if dtype in ("VARCHAR", "BOOLEAN"):
        return ['CAST("gated" AS VARCHAR) AS gated_raw', "false AS gated_number"]
    if dtype in _INTEGER or dtype in ("DOUBLE", "FLOAT"):
        return ['CAST("gated" AS VARCHAR) AS gated_raw', "true AS gated_number"]
    raise HubStatsSchemaError(f"not the hub-stats schema: gated is {dtype}, expected a boolean or text")


def _tags(columns: dict[str, str]) -> str:
    dtype = columns.get("tags", "")
    if dtype != "VARCHAR[]":
        raise HubStatsSchemaError(f"not the hub-stats schema: tags is {dtype}, expected a list of strings")
    return '"tags"'


def _json_text(columns: dict[str, str], name: str) -> str:
    dtype = columns.get(name)
    if dtype is None:
        return "NULL::VARCHAR"
    return quote_ident(name) if dtype in ("VARCHAR", "JSON") else f"CAST(to_json({quote_ident(name)}) AS VARCHAR)"


def _struct_fields(dtype: str) -> dict[str, str]:
    """Top-level fields of a DuckDB `STRUCT(name TYPE, …)` type string: name -> type."""
    inner, fields_, depth, start = dtype[dtype.index("(") + 1 : -1], {}, 0, 0
    for i, ch in enumerate(inner + ","):
        depth += (ch == "(") - (ch == ")")
        if ch == "," and depth == 0:
            name, _, kind = inner[start:i].strip().partition(" ")
            fields_[name.strip('"')] = kind.strip()
            start = i + 1
    return fields_


def _safetensors(columns: dict[str, str]) -> list[str]:
    """st_present, st_params_present, st_total and st_entries (non-null {k: dtype, v: count} pairs)."""
    dtype = columns.get("safetensors")
    if dtype is None:
        return ["false AS st_present", "false AS st_params_present", "NULL::BIGINT AS st_total",
                "[]::STRUCT(k VARCHAR, v BIGINT)[] AS st_entries"]  # fmt: skip
    params = _struct_fields(dtype).get("parameters", "") if dtype.startswith("STRUCT(") else ""
    if params.startswith("MAP("):
        entries = "list_transform(map_entries(safetensors.parameters), lambda e: {'k': e.key, 'v': e.value})"
    elif params.startswith("STRUCT("):
        items = ", ".join(
            f"{{'k': {quote_literal(n)}, 'v': safetensors.parameters.{quote_ident(n)}}}" for n in _struct_fields(params)
        )
        entries = f"[{items}]"
    else:
        raise HubStatsSchemaError(f"not the hub-stats schema: safetensors is {dtype[:60]}")
    return [
        "safetensors IS NOT NULL AS st_present",
        "safetensors.parameters IS NOT NULL AS st_params_present",
        "TRY_CAST(safetensors.total AS BIGINT) AS st_total",
        f"list_filter(CAST({entries} AS STRUCT(k VARCHAR, v BIGINT)[]), lambda e: e.v IS NOT NULL) AS st_entries",
    ]


def _base_models(columns: dict[str, str]) -> list[str]:
    """bm_present, bm_relation, bm_ids from baseModels {relation, models[{_id, id}]} (or a plain list of ids)."""
    dtype = columns.get("baseModels")
    if dtype is None:
        return ["false AS bm_present", "false AS bm_list", "NULL::VARCHAR AS bm_relation", "NULL::VARCHAR[] AS bm_ids"]
    if dtype == "VARCHAR[]":
        return ['"baseModels" IS NOT NULL AS bm_present', "true AS bm_list", "'unknown' AS bm_relation",
                '"baseModels" AS bm_ids']  # fmt: skip
    if dtype.startswith("STRUCT(") and {"relation", "models"} <= _struct_fields(dtype).keys():
        return [
            '"baseModels" IS NOT NULL AS bm_present',
            "false AS bm_list",
            '"baseModels".relation AS bm_relation',
            'list_transform(coalesce("baseModels".models, []), lambda m: m.id) AS bm_ids',
        ]
    raise HubStatsSchemaError(f"not the hub-stats schema: baseModels is {dtype[:60]}")


def hub_stats_source(
    arg: str | None,
    *,
    endpoint: str | None,
    token: str | None,
    repo_id: str = DEFAULT_REPO,
    filename: str = DEFAULT_FILE,
) -> HubStatsSource:
    """None → the repo's `main`; an existing local path → that file; anything else → a revision (sha or branch).
    A revision is resolved to its commit (sha and time) with `HfApi.list_repo_commits`; the file is downloaded
    when the refresh stages it."""
    if arg is not None and Path(arg).expanduser().is_file():
        return HubStatsSource(Path(arg).expanduser().resolve(), repo_id=repo_id, filename=filename)
    sha, at = resolve_revision(repo_id, arg or "main", endpoint=endpoint, token=token)
    return HubStatsSource(
        None, repo_id=repo_id, filename=filename, revision=sha, committed_at=at, endpoint=endpoint, token=token,
        full=True,
    )  # fmt: skip


def resolve_revision(repo_id: str, revision: str, *, endpoint: str | None, token: str | None) -> tuple[str, datetime]:
    """(commit sha, commit time as naive UTC) of a revision of the dataset repo."""
    from huggingface_hub import HfApi

    commits = HfApi(endpoint=endpoint, token=token).list_repo_commits(repo_id, repo_type="dataset", revision=revision)
    if not commits:
        raise ValueError(f"{repo_id}@{revision} has no commits")
    head = commits[0]
    return head.commit_id, naive_utc(head.created_at)


def naive_utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(tzinfo=None) if moment.tzinfo else moment


def bundled_sample(snapshot_dir: Path) -> HubStatsSource | None:
    """The hub-stats file a bundled snapshot names in its manifest (key `hub_stats`), loaded after the snapshot
    itself on first start; None when the snapshot has none."""
    import json

    manifest = json.loads((snapshot_dir / "manifest.json").read_text())
    name = manifest.get("hub_stats")
    return HubStatsSource(snapshot_dir / name) if name else None
