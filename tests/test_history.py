"""The delta-encoded history (pipeline/store/history.py) gives back exactly the per-date series the full,
one-row-per-model-per-snapshot layout held: compared row for row with a reference that writes the old way."""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta
from pathlib import Path

import duckdb
import polars as pl
import pytest

from pipeline.database import load_sql, run_derived
from pipeline.store import history

ROOT = Path(__file__).resolve().parent.parent
COLS = "model_id, snapshot_at, snapshot_date, run_id, series, downloads_30d, downloads_all_time, likes, trending_score"
# The layout before delta encoding, written the way the old writer did (rows already there win).
OLD_TABLE = """CREATE TABLE ref (model_id VARCHAR NOT NULL, snapshot_at TIMESTAMP NOT NULL, snapshot_date DATE NOT NULL,
    run_id INTEGER NOT NULL, series VARCHAR NOT NULL, downloads_30d BIGINT, downloads_all_time BIGINT, likes BIGINT,
    trending_score DOUBLE)"""
T0 = datetime(2026, 3, 1, 6, 30, 0, 123456)


class Both:
    """A connection holding the encoded tables and the reference table `ref`; every write goes to both."""

    def __init__(self) -> None:
        self.con = duckdb.connect()
        self.con.execute(load_sql("schema"))
        self.con.execute(OLD_TABLE)
        self.con.execute("CREATE TABLE _stage_models (model_id VARCHAR, downloads_30d BIGINT, "
                         "downloads_all_time BIGINT, likes BIGINT, trending_score DOUBLE)")  # fmt: skip

    def run(self, run_id: int, at: datetime, rows: list[tuple], series: str = "hub") -> None:
        self.con.execute("DELETE FROM _stage_models")
        if rows:
            self.con.executemany("INSERT INTO _stage_models VALUES (?, ?, ?, ?, ?)", rows)
        history.append_run_snapshot(self.con, run_id, at, series)
        self.con.execute(
            "INSERT INTO ref SELECT model_id, $at, CAST($at AS DATE), $run, $series, downloads_30d, "
            "downloads_all_time, likes, trending_score FROM _stage_models s ANTI JOIN (SELECT model_id FROM ref "
            "WHERE snapshot_at = $at AND series = $series) o USING (model_id)",
            {"at": at, "run": run_id, "series": series},
        )

    def recorded(self, run_id: int, frame: pl.DataFrame) -> None:
        history.add_recorded_history(self.con, run_id, frame)
        self.con.register("recorded_history", frame)
        self.con.execute(
            "INSERT INTO ref BY NAME SELECT h.*, CAST(h.snapshot_date AS TIMESTAMP) AS snapshot_at, $run AS run_id "
            "FROM (SELECT DISTINCT ON (model_id, snapshot_date, series) * FROM recorded_history) h "
            "ANTI JOIN ref o ON o.model_id = h.model_id AND o.series = h.series "
            "AND o.snapshot_at = CAST(h.snapshot_date AS TIMESTAMP)",
            {"run": run_id},
        )
        self.con.unregister("recorded_history")

    def rows(self, table: str) -> list[tuple]:
        return self.con.sql(f"SELECT {COLS} FROM {table} ORDER BY ALL").fetchall()

    def assert_same(self) -> None:
        assert self.rows("model_snapshots") == self.rows("ref")
        runs = self.con.sql("SELECT run_id, count(*) FROM ref GROUP BY ALL").fetchall()
        for run_id, n in runs:
            assert history.run_snapshot_rows(self.con, run_id) == n
            assert self.rows(f"model_snapshots_of_run({run_id})") == self.rows(f"ref WHERE run_id = {run_id}")
        for series, day in self.con.sql("SELECT DISTINCT series, snapshot_date FROM ref").fetchall():
            where = f"series = '{series}' AND snapshot_date = DATE '{day}'"
            assert self.rows(f"model_snapshots_on('{series}', DATE '{day}')") == self.rows(f"ref WHERE {where}")


def _row(model: str, d30: int | None, likes: int | None = 1, total: int | None = None, trend: float | None = 0.5):
    return (model, d30, total, likes, trend)


def test_vanish_reappear_change_and_repeat() -> None:
    b = Both()
    b.run(1, T0, [_row("a/x", 10), _row("b/y", 0), _row("c/z", None, None, None, None)])
    b.run(2, T0 + timedelta(days=1), [_row("a/x", 10), _row("b/y", 0), _row("c/z", None, None, None, None)])
    b.run(3, T0 + timedelta(days=2), [_row("a/x", 11), _row("c/z", None, None, None, None)])  # b/y vanishes
    b.run(4, T0 + timedelta(days=3), [_row("a/x", 11), _row("d/new", 5)])  # c/z vanishes, d/new appears
    b.run(5, T0 + timedelta(days=4), [_row("a/x", 10), _row("b/y", 0), _row("d/new", 5)])  # b/y back, a/x back to 10
    b.run(6, T0 + timedelta(days=5), [])  # a refresh that saw nothing
    b.run(7, T0 + timedelta(days=6), [_row("a/x", 10), _row("c/z", None, None, None, None)])  # after an empty slot
    b.assert_same()
    # a/x: 10,10 | 11,11 | 10 | (absent) | 10 -> 4 spans for 6 data points
    spans = b.con.sql("SELECT count(*) FROM history_spans s JOIN history_keys USING (model_key) WHERE model_id = 'a/x'")
    assert spans.fetchall() == [(4,)]
    assert b.con.sql("SELECT count(*) FROM history_spans").fetchall()[0][0] < len(b.rows("ref"))
    # The same snapshot again (same time, more models): stored rows win, only the new model is added.
    b.run(8, T0 + timedelta(days=6), [_row("a/x", 999), _row("e/late", 3)])
    # A snapshot older than the series' latest (out of order), and a second series.
    b.run(9, T0 - timedelta(days=3), [_row("a/x", 1), _row("b/y", 2)])
    b.run(10, T0 + timedelta(days=2, hours=1), [_row("b/y", 0)], series="other")
    b.run(11, T0 + timedelta(days=7), [_row("a/x", 10), _row("e/late", 3)])  # append again after the merges
    b.assert_same()
    keys = b.con.sql("SELECT count(*), count(DISTINCT model_key), count(DISTINCT model_id) FROM history_keys")
    assert keys.fetchall() == [(5, 5, 5)]


def _recorded(days: list[date], models: list[str], seed: int) -> pl.DataFrame:
    rng = random.Random(seed)
    rows = []
    for d in days:
        for m in models:
            if rng.random() < 0.8:  # present on 80% of the dates: vanishing and reappearing
                d30 = rng.choice([0, 0, 7, 7, rng.randrange(100)])
                rows.append({"model_id": m, "snapshot_date": d, "series": "catalog", "downloads_30d": d30,
                             "likes": rng.choice([1, 2])})  # fmt: skip
    return pl.DataFrame(rows)


def test_recorded_history_loaded_twice_and_extended() -> None:
    b = Both()
    days = [date(2026, 2, 15) + timedelta(days=7 * k) for k in range(12)]
    models = [f"org/m{i}" for i in range(40)]
    first = _recorded(days[:8], models, seed=1)
    b.recorded(1, first)
    b.assert_same()
    b.recorded(2, first)  # the same snapshot loaded again: nothing added
    assert history.run_snapshot_rows(b.con, 2) == 0
    b.recorded(3, pl.concat([first, _recorded(days[6:], models, seed=2)]))  # overlaps, then newer dates
    b.run(4, datetime(2026, 6, 1), [_row("org/m1", 7, 2)], series="catalog")
    b.assert_same()


def test_random_churn_matches_full_layout() -> None:
    """Many models over many slots with a realistic churn (a fraction change per day, some vanish)."""
    b = Both()
    rng = random.Random(12)
    state = {f"u{i}/m": [rng.randrange(50), rng.randrange(5)] for i in range(120)}
    for day in range(25):
        rows = []
        for model, values in state.items():
            if rng.random() < 0.44:
                values[0] = max(0, values[0] + rng.randrange(-5, 6))
            if rng.random() < 0.05:
                values[1] += 1
            if rng.random() < 0.9:
                rows.append(_row(model, values[0], values[1]))
        b.run(100 + day, T0 + timedelta(days=day), rows)
    b.assert_same()
    spans = b.con.sql("SELECT count(*) FROM history_spans").fetchall()[0][0]
    assert spans < 0.7 * len(b.rows("ref"))


def test_reencode_all_is_lossless_and_canonical() -> None:
    b = Both()
    for day in range(6):
        b.run(day + 1, T0 + timedelta(days=day), [_row("a/x", day // 2), _row("b/y", 3)])
    before = b.con.sql("SELECT * FROM history_spans ORDER BY ALL").fetchall()
    history.reencode_all(b.con)
    b.assert_same()
    assert b.con.sql("SELECT * FROM history_spans ORDER BY ALL").fetchall() == before  # append keeps it canonical


def test_migration_converts_an_old_layout_file(tmp_path: Path) -> None:
    b = Both()
    b.recorded(1, _recorded([date(2026, 1, 1) + timedelta(days=k) for k in range(10)], ["a/x", "b/y", "c/z"], 3))
    b.run(2, T0, [_row("a/x", 10), _row("d/w", 1)])
    b.run(3, T0 + timedelta(days=1), [_row("a/x", 10)])
    expected = b.rows("ref")
    old = tmp_path / "old.duckdb"
    con = duckdb.connect(str(old))
    con.execute(OLD_TABLE.replace("CREATE TABLE ref", "CREATE TABLE model_snapshots"))
    con.register("old_rows", b.con.sql("SELECT * FROM ref").pl())
    con.execute("INSERT INTO model_snapshots SELECT * FROM old_rows")
    con.unregister("old_rows")
    con.execute((ROOT / "sql" / "migrations" / "002_history_delta.sql").read_text())
    con.execute(load_sql("schema"))
    assert con.sql(f"SELECT {COLS} FROM model_snapshots ORDER BY ALL").fetchall() == expected
    assert con.sql("SELECT count(*) FROM duckdb_tables() WHERE table_name = 'model_snapshots'").fetchall() == [(0,)]
    con.close()


def test_migration_ends_with_the_encoder() -> None:
    migration = (ROOT / "sql" / "migrations" / "002_history_delta.sql").read_text()
    encoder = load_sql("history/encode")
    assert migration.rstrip().endswith(encoder.rstrip() + "\n\nDROP TABLE _history_full;")


@pytest.mark.parametrize("missing", [["downloads_all_time", "trending_score"]])
def test_recorded_history_without_some_counters(missing: list[str]) -> None:
    b = Both()
    frame = pl.DataFrame({"model_id": ["a/x", "a/x"], "snapshot_date": [date(2026, 1, 1), date(2026, 1, 2)],
                          "series": ["s", "s"], "downloads_30d": [1, 1], "likes": [0, 0]})  # fmt: skip
    assert not set(missing) & set(frame.columns)
    b.recorded(1, frame)
    b.assert_same()


def test_import_full_layout_from_an_attached_old_file(tmp_path: Path) -> None:
    """The writer's path for a file from before migrations: its model_snapshots table is encoded on import."""
    b = Both()
    for day in range(5):
        b.run(day + 1, T0 + timedelta(days=day), [_row("a/x", day % 2), _row("b/y", 3)][: 1 + day % 2])
    old = tmp_path / "old.duckdb"
    con = duckdb.connect(str(old))
    con.execute(OLD_TABLE.replace("CREATE TABLE ref", "CREATE TABLE model_snapshots"))
    con.register("old_rows", b.con.sql("SELECT * FROM ref").pl())
    con.execute("INSERT INTO model_snapshots SELECT * FROM old_rows")
    con.close()
    new = duckdb.connect()
    new.execute(load_sql("schema"))
    new.execute(f"ATTACH '{old}' AS old (READ_ONLY)")
    assert history.import_full_layout(new, "old.main.model_snapshots") == len(b.rows("ref"))
    assert new.sql(f"SELECT {COLS} FROM model_snapshots ORDER BY ALL").fetchall() == b.rows("ref")


# -- incremental rollups (sql/rollups.sql) ------------------------------------------------------------------------

FULL_ROLLUP_SNAPSHOTS = """
WITH sized AS (
    SELECT m.model_id, m.is_language_model, m.pipeline_tag,
           CASE WHEN m.params_total IS NULL THEN NULL ELSE COALESCE(g.threshold, 0) END AS bucket_lo
    FROM models m ASOF LEFT JOIN rollup_grid g ON m.params_total >= g.threshold
)
SELECT s.series, s.snapshot_date, z.is_language_model, z.pipeline_tag, z.bucket_lo, count(*) AS models,
       COALESCE(sum(s.downloads_30d), 0)::BIGINT AS downloads_30d
FROM model_snapshots s JOIN sized z USING (model_id) GROUP BY ALL ORDER BY ALL"""
FULL_ROLLUP_SERIES = """SELECT series, count(DISTINCT snapshot_date), min(snapshot_date), max(snapshot_date),
    count(DISTINCT model_id), count(*) FROM model_snapshots GROUP BY series ORDER BY ALL"""
FULL_MOVERS = """SELECT sp.series, sp.date_from, sp.date_to, m.model_id, a.downloads_30d, z.downloads_30d
FROM rollup_movers_span sp
JOIN model_snapshots a ON a.series = sp.series AND a.snapshot_date = sp.date_from
JOIN model_snapshots z ON z.series = sp.series AND z.snapshot_date = sp.date_to AND z.model_id = a.model_id
JOIN models m ON m.model_id = a.model_id
WHERE a.downloads_30d IS NOT NULL AND z.downloads_30d IS NOT NULL ORDER BY ALL"""
# The date-space rollups of the cohort queries, derived independently from the decoded rows.
FULL_DATES = """SELECT series, row_number() OVER (PARTITION BY series ORDER BY snapshot_date) - 1, snapshot_date
FROM (SELECT DISTINCT series, snapshot_date FROM model_snapshots) ORDER BY ALL"""
DAY_ROWS = """WITH d AS (SELECT series, snapshot_date,
                  row_number() OVER (PARTITION BY series ORDER BY snapshot_date) - 1 AS idx
           FROM (SELECT DISTINCT series, snapshot_date FROM history_slots)),
top AS (SELECT series, max(idx) AS top FROM d GROUP BY series),
day AS (SELECT s.series, k.model_key, d.idx, arg_max(s.downloads_30d, s.snapshot_at) AS v
        FROM model_snapshots s JOIN history_keys k USING (model_id) JOIN d USING (series, snapshot_date)
        GROUP BY ALL)"""
FULL_PRESENCE = (
    DAY_ROWS
    + """
SELECT series, model_key, min(idx), CASE WHEN max(idx) = any_value(top) THEN NULL ELSE max(idx) END
FROM (SELECT *, idx - row_number() OVER (PARTITION BY series, model_key ORDER BY idx) AS island FROM day JOIN top
      USING (series))
GROUP BY series, model_key, island ORDER BY ALL"""
)
FULL_DAY_RUNS = (
    DAY_ROWS
    + """
SELECT series, model_key, min(idx), CASE WHEN max(idx) = any_value(top) THEN NULL ELSE max(idx) END, v
FROM (SELECT *, idx - row_number() OVER (PARTITION BY series, model_key, v ORDER BY idx) AS island
      FROM day JOIN top USING (series) WHERE v IS NOT NULL)
GROUP BY series, model_key, v, island ORDER BY ALL"""
)


class Hub:
    """A DB with models, config tables and history, refreshed step by step the way the writer does it."""

    def __init__(self) -> None:
        self.con = duckdb.connect()
        self.con.execute(load_sql("schema"))
        self.con.execute(load_sql("macros"))
        self.con.execute("CREATE TABLE _stage_models (model_id VARCHAR, downloads_30d BIGINT, "
                         "downloads_all_time BIGINT, likes BIGINT, trending_score DOUBLE)")  # fmt: skip
        self.bands([1e9, 3e9, 10e9, 30e9, 100e9])
        self.con.execute("INSERT INTO config_classes VALUES (10e9)")
        self.con.execute("INSERT INTO config_language_tags VALUES ('text-generation')")
        self.run_id = 0

    def bands(self, uppers: list[float]) -> None:
        self.con.execute("DELETE FROM config_bands")
        for i, upper in enumerate([*uppers, float("inf")]):
            self.con.execute("INSERT INTO config_bands VALUES (?, ?, ?)", [i + 1, f"b{i}", upper])

    def model(self, model_id: str, params: float | None, task: str = "text-generation") -> None:
        self.con.execute("DELETE FROM models WHERE model_id = ?", [model_id])
        self.con.execute(
            "INSERT INTO models (model_id, author, created_at_unknown, pipeline_tag, tags, params_total, "
            "is_language_model, downloads_30d, first_seen_at, last_seen_at, last_run_id, origin) "
            "VALUES (?, split_part(?, '/', 1), false, ?, ['en'], ?, ? = 'text-generation', 1, now(), now(), 1, 't')",
            [model_id, model_id, task, params, task],
        )

    def refresh(self, at: datetime, rows: list[tuple]) -> None:
        self.run_id += 1
        self.con.execute("DELETE FROM _stage_models")
        self.con.executemany("INSERT INTO _stage_models VALUES (?, ?, ?, ?, ?)", rows)
        history.append_run_snapshot(self.con, self.run_id, at, "hub")
        self.rollups()

    def rollups(self) -> str:
        run_derived(self.con, "rollups")
        return self.con.sql("SELECT value FROM rollup_state WHERE key = 'last_refresh'").fetchall()[0][0]

    def assert_equal_to_full(self) -> None:
        got = self.con.sql("SELECT * FROM rollup_snapshots ORDER BY ALL").fetchall()
        assert got == self.con.sql(FULL_ROLLUP_SNAPSHOTS).fetchall()
        assert (
            self.con.sql("SELECT * FROM rollup_series ORDER BY ALL").fetchall()
            == self.con.sql(FULL_ROLLUP_SERIES).fetchall()
        )
        movers = "SELECT series, date_from, date_to, model_id, downloads_from, downloads_to FROM rollup_movers"
        assert self.con.sql(movers + " ORDER BY ALL").fetchall() == self.con.sql(FULL_MOVERS).fetchall()
        for table, full in (("rollup_dates", FULL_DATES), ("rollup_presence", FULL_PRESENCE),
                            ("rollup_day_runs", FULL_DAY_RUNS)):  # fmt: skip
            assert self.con.sql(f"SELECT * FROM {table} ORDER BY ALL").fetchall() == self.con.sql(full).fetchall()


def test_incremental_rollups_equal_a_full_rebuild() -> None:
    h = Hub()
    sizes = {"a/small": 1.5e9, "a/mid": 7e9, "b/large": 70e9, "b/unknown": None, "c/vision": 2e9}
    for model, params in sizes.items():
        h.model(model, params, "image-to-text" if model == "c/vision" else "text-generation")
    day = [_row(m, 10 * i, 1) for i, m in enumerate(sizes)]
    h.refresh(T0, day)
    assert h.con.sql("SELECT value FROM rollup_state WHERE key = 'last_refresh'").fetchall()[0][0].startswith("full")
    h.assert_equal_to_full()
    h.refresh(T0 + timedelta(days=1), [*day[:3], _row("b/unknown", 99, 1)])  # c/vision vanishes, one changes
    assert h.rollups().startswith("incremental: 0 new snapshots, 0 models re-sized")
    h.assert_equal_to_full()
    assert h.con.sql("SELECT value FROM rollup_state WHERE key = 'days'").fetchall() == [("incremental",)]
    h.model("a/mid", 12e9)  # re-sized: its history moves bucket
    h.model("c/vision", 2e9, "text-generation")  # task changed: it becomes a language model
    h.model("d/new", 0.5e9)
    h.refresh(T0 + timedelta(days=2), [*day, _row("d/new", 4, 0)])
    state = h.con.sql("SELECT value FROM rollup_state WHERE key = 'last_refresh'").fetchall()[0][0]
    assert state == "incremental: 1 new snapshots, 3 models re-sized"
    h.assert_equal_to_full()
    h.bands([2e9, 8e9, 50e9])  # configuration changed: full rebuild
    assert h.rollups().startswith("full")
    h.assert_equal_to_full()
    assert h.con.sql("SELECT value FROM rollup_state WHERE key = 'days'").fetchall() == [("incremental",)]
    assert h.con.sql("SELECT count(*) FROM rollup_grid WHERE threshold IN (8e9, 50e9)").fetchall() == [(2,)]
    h.refresh(T0 + timedelta(days=3), day)
    assert (
        h.con.sql("SELECT value FROM rollup_state WHERE key = 'last_refresh'")
        .fetchall()[0][0]
        .startswith("incremental: 1 new")
    )
    h.assert_equal_to_full()
    h.refresh(T0 - timedelta(days=5), day[:2])  # an older snapshot renumbers the slots: full rebuild
    assert h.con.sql("SELECT value FROM rollup_state WHERE key = 'last_refresh'").fetchall()[0][0].startswith("full")
    h.assert_equal_to_full()
    for k in range(4, 10):  # a run of steady-state refreshes with churn
        h.refresh(T0 + timedelta(days=k), [_row(m, 10 * i + (k if i % 2 else 0), 1) for i, m in enumerate(sizes)])
        h.assert_equal_to_full()
        assert h.con.sql("SELECT value FROM rollup_state WHERE key = 'days'").fetchall() == [("incremental",)]
    assert h.con.sql("SELECT count(*) FROM rollup_presence").fetchall()[0][0] > len(sizes)  # gaps: several runs
    # a second snapshot the same day (its values win the day), then models that vanish and come back
    for hours, values in ((3, [5, 10, 99, 30, 40]), (5, [5, 11, 20, 30, 41]), (7, [5, 11, 20, 31, 41])):
        h.refresh(T0 + timedelta(days=9, hours=hours), [_row(m, values[i], 1) for i, m in enumerate(sizes)][1:])
        h.assert_equal_to_full()
        assert h.con.sql("SELECT value FROM rollup_state WHERE key = 'days'").fetchall() == [("incremental",)]
    for k in range(10, 14):
        rows = [_row(m, None if (i, k) == (2, 11) else 7 * i + k % 2, 1) for i, m in enumerate(sizes) if (i + k) % 3]
        h.refresh(T0 + timedelta(days=k), rows)
        h.assert_equal_to_full()
    # the full rebuild of the date-space tables in ranges of model keys, as at Hub scale, gives the same tables
    h.con.execute("SET VARIABLE days_spans_per_range = 3")
    h.refresh(T0 - timedelta(days=6), day[:3])  # an older snapshot: full rebuild
    assert h.con.sql("SELECT getvariable('days_key_ranges')").fetchall()[0][0] > 3
    h.assert_equal_to_full()
