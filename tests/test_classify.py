"""Config, classes, bands, SQL/Python agreement (the macros read the config tables), enrich on real records,
chunked enrich, coverage report."""

from __future__ import annotations

import dataclasses
import math
from pathlib import Path

import duckdb
import polars as pl
import pytest
from test_sizing import EMPTY_LINEAGE, load_reference_inputs

from pipeline.enrich import ConfigError
from pipeline.enrich.classify import Config, enrich, load_config, model_class, size_band
from pipeline.product.coverage import coverage_report, format_coverage

ROOT = Path(__file__).resolve().parent.parent
SCHEMA = (ROOT / "sql" / "schema.sql").read_text()
MACROS = (ROOT / "sql" / "macros.sql").read_text()
# A 7B boundary and other band edges and labels: what "rules in one place" must carry through to SQL.
OTHER_CONFIG = """
[classes]
slm_max_params = 7e9
[bands]
labels = ["tiny", "small", "mid", "big"]
upper = [0.5e9, 7e9, 70e9, "inf"]
"""


def write_config_tables(c: duckdb.DuckDBPyConnection, config: Config) -> None:
    """What the refresh's writer does before macros.sql runs."""
    for name, frame in config.tables().items():
        c.register("config_frame", frame)
        c.execute(f"CREATE OR REPLACE TABLE {name} AS SELECT * FROM config_frame")
        c.unregister("config_frame")


def macro_connection(config: Config) -> duckdb.DuckDBPyConnection:
    c = duckdb.connect()
    c.execute(SCHEMA)
    write_config_tables(c, config)
    c.execute(MACROS)
    return c


ENRICHED = {
    "params_total": pl.Int64,
    "params_active": pl.Int64,
    "params_source": pl.String,
    "params_flags": pl.String,
    "license": pl.String,
    "license_tier": pl.String,
    "is_language_model": pl.Boolean,
    "size_band": pl.String,
    "model_class": pl.String,
    "memory_bf16_gb": pl.Float64,
    "memory_4bit_gb": pl.Float64,
    "device_class": pl.String,
    "family_root": pl.String,
    "is_test_repo": pl.Boolean,
}


@pytest.fixture(scope="module")
def con() -> duckdb.DuckDBPyConnection:
    return macro_connection(load_config())


@pytest.fixture
def other_config(tmp_path: Path) -> Path:
    p = tmp_path / "hubscope.toml"
    p.write_text(OTHER_CONFIG)
    return p


def sample_values() -> list[int | None]:
    vals: list[int | None] = [
        None,
        0,
        1,
        999_999_999,
        1_000_000_000,
        9_999_999_999,
        10_000_000_000,
        10_000_000_001,
    ]
    vals += [int(10 ** (k / 20)) for k in range(0, 20 * 13)]  # 1 .. 1e13, 20 points a decade
    for b in (1e9, 3e9, 10e9, 30e9, 100e9):
        vals += [int(b) - 1, int(b), int(b) + 1]
    return vals


def test_config_file_loads_and_matches_defaults() -> None:
    cfg = load_config()
    assert cfg.slm_max_params == 10e9
    assert [b[0] for b in cfg.size_bands] == ["<1B", "1-3B", "3-10B", "10-30B", "30-100B", ">100B"]
    assert cfg.size_bands[-1][1] == math.inf
    assert "text-generation" in cfg.language_model_tags and "fill-mask" not in cfg.language_model_tags
    assert [d[0] for d in cfg.device_classes] == ["phone", "laptop", "single-gpu", "multi-gpu"]
    assert cfg.device_classes[-1][1] == math.inf and cfg.bytes_per_param_4bit == 0.5
    with pytest.raises(dataclasses.FrozenInstanceError):
        cfg.slm_max_params = 7e9  # type: ignore[misc]


def test_config_tables_carry_the_rules() -> None:
    tables = load_config().tables()
    assert set(tables) == {"config_classes", "config_bands", "config_devices", "config_language_tags"}
    assert tables["config_classes"].to_dicts() == [{"slm_max_params": 10e9}]
    bands = tables["config_bands"]
    assert bands.columns == ["band_order", "label", "upper"]
    assert bands["band_order"].to_list() == [1, 2, 3, 4, 5, 6] and bands["upper"][-1] == math.inf
    assert bands["label"].to_list() == ["<1B", "1-3B", "3-10B", "10-30B", "30-100B", ">100B"]
    assert tables["config_devices"].columns == ["device_order", "label", "max_gb_4bit"]
    assert tables["config_devices"]["max_gb_4bit"].to_list()[:3] == [4.0, 16.0, 80.0]
    assert "text-generation" in tables["config_language_tags"]["pipeline_tag"].to_list()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[classes]\nslm_max_param = 7e9\n", "unknown key [classes] slm_max_param"),
        ('[devices]\nmax_gb_bf16 = [4.0, "inf"]\n', "unknown key [devices] max_gb_bf16"),
        ("[colours]\nslm = 'green'\n", "unknown section [colours]"),
        ("[classes]\nslm_max_params = 'ten'\n", "[classes] slm_max_params must be a number"),
        ("[classes]\nslm_max_params = -1\n", "[classes] slm_max_params must be a positive finite number"),
        ('[bands]\nlabels = ["a", "b"]\nupper = [1e9]\n', "[bands] labels and upper differ in length"),
        ('[bands]\nlabels = ["a", "b"]\nupper = [3e9, 1e9]\n', "[bands] upper must be positive and strictly"),
        ('[bands]\nlabels = ["a", "b"]\nupper = [1e9, 3e9]\n', '[bands] upper must end with "inf"'),
        ("[classes\n", "not valid TOML"),
    ],
)
def test_config_refuses_bad_files_in_one_line(tmp_path: Path, text: str, message: str) -> None:
    p = tmp_path / "c.toml"
    p.write_text(text)
    with pytest.raises(ConfigError) as err:
        load_config(p)
    assert message in str(err.value) and str(p) in str(err.value)
    assert "\n" not in str(err.value)
    with pytest.raises(ConfigError, match="config file not found"):
        load_config(tmp_path / "missing.toml")


def test_config_override(tmp_path: Path) -> None:
    p = tmp_path / "c.toml"
    p.write_text('[classes]\nslm_max_params = 5e9\n[bands]\nlabels = ["s", "l"]\nupper = [5e9, "inf"]\n')
    cfg = load_config(p)
    assert cfg.slm_max_params == 5e9 and cfg.size_bands == (("s", 5e9), ("l", math.inf))


def test_model_class_rule() -> None:
    assert model_class(None, 10e9) is None
    assert model_class(9_999_999_999, 10e9) == "SLM"
    assert model_class(10_000_000_000, 10e9) == "LLM"  # the boundary itself is an LLM (strict <)
    assert model_class(3_000_000_000, 3e9) == "LLM"


@pytest.mark.parametrize("threshold", [1e9, 3e9, 5e9, 7e9, 10e9, 13e9, 30e9, 70e9])
def test_sql_macro_matches_python(con: duckdb.DuckDBPyConnection, threshold: float) -> None:
    vals = sample_values() + [int(threshold) - 1, int(threshold), int(threshold) + 1]
    con.register("vals", pl.DataFrame({"v": vals}, schema={"v": pl.Int64}))
    got = con.sql(f"SELECT v, model_class(v, {threshold!r}) AS c FROM vals").fetchall()
    for v, c in got:
        assert c == model_class(v, threshold), (v, threshold)


def test_sql_bands_match_config(con: duckdb.DuckDBPyConnection) -> None:
    cfg = load_config()
    con.register("vals", pl.DataFrame({"v": sample_values()}, schema={"v": pl.Int64}))
    for v, band in con.sql("SELECT v, size_band(v) FROM vals").fetchall():
        assert band == size_band(v, cfg.size_bands), v
    assert con.sql(
        "SELECT model_class_default(10000000000), unknown_as(model_class(NULL, 1e9), 'unknown')"
    ).fetchall() == [("LLM", "unknown")]


def test_macros_agree_on_fixture_db(fixture_db: Path) -> None:
    # the pipeline's own DB (built from a slice of the bundled snapshot): SQL class == stored class == Python
    c = macro_connection(load_config())  # the fixture DB is built with the shipped config
    c.execute(f"ATTACH '{fixture_db}' AS hub (READ_ONLY)")
    rows = c.sql(
        "SELECT params_total, model_class, model_class(params_total, 10e9), size_band, "
        "size_band(params_total) FROM hub.models"
    ).fetchall()
    assert rows
    for total, stored, sql_cls, stored_band, sql_band in rows:
        assert stored == sql_cls == model_class(total, 10e9)
        assert stored_band == sql_band


def _models() -> pl.DataFrame:
    return load_reference_inputs()[1]


def test_enrich_columns_and_types() -> None:
    models = _models()
    out, sources = enrich(models, EMPTY_LINEAGE, None, load_config())
    assert out.height == models.height and out["model_id"].to_list() == models["model_id"].to_list()
    for col, dtype in ENRICHED.items():
        assert out.schema[col] == dtype, col
    assert set(out["params_source"]) <= {"reference", "safetensors", "gguf", "base_model", "name", "unknown"}
    assert set(out["model_class"].drop_nulls()) <= {"SLM", "LLM"}
    assert out.filter(pl.col("params_total").is_null())["size_band"].unique().to_list() == ["unknown"]
    assert out["family_root"].null_count() == 0
    assert sources.columns == ["model_id", "source", "params_total", "params_active", "note"]
    assert sources.select("model_id", "source").is_unique().all()
    row = out.filter(pl.col("model_id") == "mlx-community/EXAONE-Deep-32B-4bit").row(0, named=True)
    assert row["model_class"] == "LLM" and row["size_band"] == "30-100B" and row["device_class"] == "single-gpu"
    assert row["family_root"] == "LGAI-EXAONE/EXAONE-3.5-32B-Instruct"
    assert abs(row["memory_bf16_gb"] - 64.0) < 0.1 and abs(row["memory_4bit_gb"] - 16.0) < 0.1


def test_device_classes() -> None:
    models = pl.DataFrame(
        {"model_id": ["a/Tiny-1B", "b/Mid-8B", "c/Big-70B", "d/Huge-405B", "e/none"]},
    ).with_columns(pl.lit(None, pl.String).alias(c) for c in ("pipeline_tag", "library_name", "license_raw"))
    models = models.with_columns(
        pl.lit([], pl.List(pl.String)).alias("tags"),
        pl.lit([], pl.List(pl.String)).alias("base_models"),
        pl.lit(None, pl.Int64).alias("safetensors_total"),
        pl.lit(None, pl.String).alias("safetensors_dtypes"),
        pl.lit(None, pl.Int64).alias("gguf_total"),
        pl.lit(None, pl.String).alias("gguf_architecture"),
        pl.lit(None, pl.String).alias("base_relation"),
    )
    out, _ = enrich(models, EMPTY_LINEAGE, None, load_config())
    # 4-bit weights: 0.5, 4.0, 35, 202.5 GB
    assert out["device_class"].to_list() == ["phone", "phone", "single-gpu", "multi-gpu", None]


def test_language_model_scope() -> None:
    out, _ = enrich(_models(), EMPTY_LINEAGE, None, load_config())
    lm = dict(zip(out["model_id"], out["is_language_model"], strict=True))
    assert lm["Qwen/Qwen2.5-7B-Instruct"] is True
    assert lm["sentence-transformers/distiluse-base-multilingual-cased-v1"] is False


def _repeated(copies: int) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The real reference records `copies` times, ids made unique (copy i of a model is `id~i`), each copy's
    base_models pointing at the same copy of its parents, so lineage and joins are real work."""
    base = _models()
    big = pl.concat(
        [
            base.with_columns(pl.col("model_id") + f"~{i}", pl.col("base_models").list.eval(pl.element() + f"~{i}"))
            for i in range(copies)
        ]
    )
    return base, big


def test_enrich_on_many_copies_gives_each_copy_the_original_answer() -> None:
    # (speed is the benchmark's business: python -m bench; here only behaviour at a few hundred thousand rows)
    base, big = _repeated(60_000 // _models().height + 1)
    one, _ = enrich(base, EMPTY_LINEAGE, None, load_config())
    out, _ = enrich(big, EMPTY_LINEAGE, None, load_config())
    assert out.height == big.height and out["model_id"].to_list() == big["model_id"].to_list()
    copies = out.with_columns(
        pl.col("model_id").str.replace(r"~\d+$", ""), pl.col("family_root").str.replace(r"~\d+$", "")
    )
    expected = pl.concat([one] * (big.height // base.height))
    assert copies.equals(expected)


def test_chunked_enrich_equals_one_pass() -> None:
    # the row-local rules run over slices; the answer must not depend on where the slices fall
    _, big = _repeated(7)
    reference = load_reference_inputs()[0].select(
        pl.col("model_id") + "~3",
        pl.col("true_total").alias("params_total"),
        pl.col("true_active").alias("params_active"),
    )
    whole = enrich(big, EMPTY_LINEAGE, reference, load_config(), chunk_rows=big.height)
    for rows in (big.height - 1, 97, 500):  # the first leaves a one-row slice
        out, sources = enrich(big, EMPTY_LINEAGE, reference, load_config(), chunk_rows=rows)
        assert out.equals(whole[0]) and sources.equals(whole[1]), rows
    assert whole[0].filter(pl.col("params_source") == "reference").height > 0


def test_coverage_report_in_memory() -> None:
    c = duckdb.connect()
    c.execute((ROOT / "sql" / "schema.sql").read_text())
    c.execute(
        "INSERT INTO models (model_id, created_at_unknown, params_source, license, downloads_30d,"
        " first_seen_at,"
        " last_seen_at, last_run_id, origin) VALUES"
        " ('a/x', false, 'safetensors', 'mit', 90, now(), now(), 1, 't'),"
        " ('b/y', false, 'unknown', NULL, 10, now(), now(), 1, 't'),"
        " ('c/z', false, 'name', NULL, 0, now(), now(), 1, 't')"
    )
    c.execute("INSERT INTO model_lineage VALUES ('c/z', 'a/x', 'finetune', 'tag')")
    rows = coverage_report(c)
    d = {(s, i): (m, pm, dl, pd) for s, i, m, pm, dl, pd in rows}
    assert d[("params", "resolved (any source)")] == (2, 66.7, 90, 90.0)
    assert d[("params", "source: unknown")] == (1, 33.3, 10, 10.0)
    assert d[("license", "has a licence")] == (1, 33.3, 90, 90.0)
    assert d[("lineage", "has a parent or children")] == (2, 66.7, 90, 90.0)
    text = format_coverage(rows)
    assert "resolved (any source)" in text and "66.7" in text


def test_coverage_on_fixture_db(fixture_db: Path) -> None:
    from pipeline.database import Database

    with Database(fixture_db) as ro:
        rows = coverage_report(ro)
    print("\n" + format_coverage(rows))
    assert any(r[1] == "resolved (any source)" for r in rows)


def test_language_tag_macro_takes_iso_codes_not_library_tags(con: duckdb.DuckDBPyConnection) -> None:
    tags = "['en', 'ZH', 'multilingual', 'tf', 'pt', 'gguf']"
    got = dict(con.sql(f"SELECT t, is_language_tag(t) FROM unnest({tags}) u(t)").fetchall())
    assert got == {"en": True, "ZH": True, "multilingual": True, "tf": False, "pt": True, "gguf": False}


def test_default_threshold_macro_reads_the_recorded_config(con: duckdb.DuckDBPyConnection) -> None:
    assert con.sql("SELECT default_threshold(), model_class_default(9e9)").fetchall() == [(10e9, "SLM")]
    cur = con.cursor()
    cur.execute("UPDATE config_classes SET slm_max_params = 7e9")
    try:
        assert cur.sql("SELECT default_threshold(), model_class_default(9e9)").fetchall() == [(7e9, "LLM")]
    finally:
        cur.execute("UPDATE config_classes SET slm_max_params = 10e9")


def test_default_threshold_of_a_file_without_config_tables_is_its_schema_info() -> None:
    # a DB refreshed before the config tables existed recorded the boundary in schema_info only
    c = duckdb.connect()
    c.execute(SCHEMA)
    c.execute(MACROS)
    assert c.sql("SELECT default_threshold(), size_band(5e9), size_band(NULL)").fetchall() == [(None, None, "unknown")]
    c.execute("INSERT INTO schema_info VALUES ('slm_max_params', '7e9')")
    assert c.sql("SELECT default_threshold(), model_class_default(9e9)").fetchall() == [(7e9, "LLM")]


def test_macros_follow_another_config(other_config: Path) -> None:
    cfg = load_config(other_config)
    assert cfg.slm_max_params == 7e9 and [b[0] for b in cfg.size_bands] == ["tiny", "small", "mid", "big"]
    assert cfg.device_classes == load_config().device_classes  # a partial file keeps the shipped rest
    c = macro_connection(cfg)
    vals = sample_values()
    c.register("vals", pl.DataFrame({"v": vals}, schema={"v": pl.Int64}))
    for v, cls, band in c.sql("SELECT v, model_class_default(v), size_band(v) FROM vals").fetchall():
        assert cls == model_class(v, 7e9), v
        assert band == size_band(v, cfg.size_bands), v
    assert c.sql(
        "SELECT size_band(6999999999), size_band(7e9), size_band(1e15), size_band_order('mid'), "
        "size_band_order('unknown'), default_threshold()"
    ).fetchall() == [("small", "mid", "big", 3, 99, 7e9)]
    assert c.sql("SELECT label FROM config_bands ORDER BY band_order").fetchall() == [
        ("tiny",),
        ("small",),
        ("mid",),
        ("big",),
    ]


def test_device_and_scope_macros_match_enrich(con: duckdb.DuckDBPyConnection) -> None:
    models = _models()
    out, _ = enrich(models, EMPTY_LINEAGE, None, load_config())
    joined = out.join(models.select("model_id", "pipeline_tag"), on="model_id")
    con.register("enriched", joined)
    assert con.sql(
        "SELECT count(*) FROM enriched WHERE device_class IS DISTINCT FROM device_class(memory_4bit_gb) "
        "OR is_language_model IS DISTINCT FROM in_language_scope(pipeline_tag) "
        "OR size_band IS DISTINCT FROM size_band(params_total)"
    ).fetchall() == [(0,)]
    assert con.sql("SELECT device_class(4.0), device_class(4.01), device_class(NULL)").fetchall() == [
        ("phone", "laptop", None)
    ]


def test_refresh_with_another_config_builds_a_db_whose_macros_follow_it(
    snapshot_slice: Path, other_config: Path, tmp_path: Path
) -> None:
    from helpers import sql_rows

    from pipeline.ingest.snapshot import open_snapshot
    from pipeline.refresh import refresh_from_snapshot

    db = tmp_path / "hub.duckdb"
    result = refresh_from_snapshot(db, open_snapshot(snapshot_slice), config_path=other_config)
    assert result.status == "ok", result.error
    labels = {r[0] for r in sql_rows(db, "SELECT DISTINCT size_band FROM models")}
    assert labels <= {"tiny", "small", "mid", "big", "unknown"} and len(labels) >= 3
    assert sql_rows(db, "SELECT count(*) FROM models WHERE model_class = 'LLM' AND params_total < 10e9") != [(0,)]
    assert sql_rows(db, "SELECT label FROM config_bands ORDER BY band_order") == [
        ("tiny",),
        ("small",),
        ("mid",),
        ("big",),
    ]
    assert sql_rows(
        db,
        "SELECT count(*) FROM models WHERE model_class IS DISTINCT FROM model_class_default(params_total) "
        "OR size_band IS DISTINCT FROM size_band(params_total)",
    ) == [(0,)]
    assert sql_rows(db, "SELECT default_threshold(), size_band(7e9), size_band_order('big')") == [(7e9, "mid", 4)]
    # issue 13 item 6 through the real refresh: the CI fixture is flagged
    assert sql_rows(db, "SELECT count(*) FROM models WHERE is_test_repo IS NULL") == [(0,)]
    assert sql_rows(
        db, "SELECT is_test_repo FROM models WHERE model_id = 'trl-internal-testing/tiny-Qwen2ForCausalLM-2.5'"
    ) == [(True,)]


TEST_REPOS = [  # real ids from the bundled snapshot (data/snapshot), with their 30-day downloads there
    "trl-internal-testing/tiny-Qwen2ForCausalLM-2.5",  # 16.7M
    "hmellor/tiny-random-LlamaForCausalLM",  # 3.1M
    "trl-internal-testing/tiny-Qwen2ForSequenceClassification-2.5",
    "peft-internal-testing/tiny-clip-text-2",
    "hf-internal-testing/tiny-random-gpt2",
    "optimum-intel-internal-testing/tiny-GptOssForCausalLM",
    "sentence-transformers-testing/stsb-bert-tiny-safetensors",
    "fxmarty/tiny-llama-fast-tokenizer",
    "MaxJeblick/llama2-0b-unit-test",
    "peft-internal-testing/tiny-LlavaForConditionalGeneration",
]
REAL_SMALL_MODELS = [
    "TinyLlama/TinyLlama-1.1B-Chat-v1.0",
    "openai/whisper-tiny",
    "prajjwal1/bert-tiny",
    "amazon/chronos-bolt-tiny",
    "bigcode/tiny_starcoder_py",
    "microsoft/Phi-tiny-MoE-instruct",
    "Asilarkness/testgeniy",
    "Qwen/Qwen2.5-0.5B-Instruct",
]


def test_test_and_ci_repos_are_flagged_real_tiny_models_are_not() -> None:
    from test_sizing import frame

    models = frame(*({"model_id": m} for m in TEST_REPOS + REAL_SMALL_MODELS))
    out, _ = enrich(models, EMPTY_LINEAGE, None, load_config())
    flagged = dict(zip(out["model_id"], out["is_test_repo"], strict=True))
    assert [m for m in TEST_REPOS if not flagged[m]] == []
    assert [m for m in REAL_SMALL_MODELS if flagged[m]] == []
    assert out.schema["is_test_repo"] == pl.Boolean
