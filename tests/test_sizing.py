"""Parameter-count resolution: name patterns, safetensors corrections, the chain, and reference accuracy."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import polars as pl
import pytest

from pipeline.enrich.classify import model_class
from pipeline.enrich.sizing import name_params_expr, parse_params_from_name, resolve_params

REFERENCE_CSV = Path(__file__).parent / "data" / "reference_models.csv"
B = 1_000_000_000
M = 1_000_000

MODEL_SCHEMA = {
    "model_id": pl.String,
    "author": pl.String,
    "pipeline_tag": pl.String,
    "library_name": pl.String,
    "tags": pl.List(pl.String),
    "license_raw": pl.String,
    "safetensors_total": pl.Int64,
    "safetensors_dtypes": pl.String,
    "gguf_total": pl.Int64,
    "gguf_architecture": pl.String,
    "base_models": pl.List(pl.String),
    "base_relation": pl.String,
    "downloads_30d": pl.Int64,
}
EMPTY_LINEAGE = pl.DataFrame(
    schema={"child_id": pl.String, "parent_id": pl.String, "relation": pl.String, "source": pl.String}
)


def frame(*rows: dict) -> pl.DataFrame:
    """Models frame from partial rows (missing fields null)."""
    full = [{k: r.get(k) for k in MODEL_SCHEMA} for r in rows]
    for r in full:
        r["tags"] = r["tags"] or []
        r["base_models"] = r["base_models"] or []
        if isinstance(r["safetensors_dtypes"], dict):
            r["safetensors_dtypes"] = json.dumps(r["safetensors_dtypes"])
    return pl.DataFrame(full, schema=MODEL_SCHEMA)


def resolve_one(**row) -> dict:
    resolved, _ = resolve_params(frame(row), EMPTY_LINEAGE, None)
    return resolved.row(0, named=True)


# ------------------------------------------------------------ name patterns
POSITIVE = [
    ("meta-llama/Llama-2-7b-hf", 7 * B, None),
    ("Qwen/Qwen2.5-1.5B-Instruct", 1_500 * M, None),
    ("Qwen/Qwen2.5-0.5B", 500 * M, None),
    ("google/gemma-3-270m", 270 * M, None),
    ("HuggingFaceTB/SmolLM2-135m", 135 * M, None),
    ("inclusionAI/Ling-1T", 1000 * B, None),
    ("Qwen/Qwen3-30B-A3B", 30 * B, 3 * B),
    ("Qwen/Qwen3-235B-A22B-Instruct-2507", 235 * B, 22 * B),
    ("bartowski/Meta-Llama-3.1-8B-Instruct-Q4_K_M-GGUF", 8 * B, None),
    ("TheBloke/Llama-2-13B-chat-GPTQ", 13 * B, None),
    ("mlx-community/Llama-3.2-3B-Instruct-4bit", 3 * B, None),
    ("Qwen/Qwen2.5-7B-Instruct-1M", 7 * B, None),  # 1M is the context length: largest token wins
    ("facebook/m2m100_418M", 418 * M, None),
    ("google-t5/t5-3b", 3 * B, None),
    ("stabilityai/stablelm-3b-4e1t", 3 * B, None),
    ("meta-llama/Llama-4-Scout-17B-16E-Instruct", None, 17 * B),  # 17B is the ACTIVE count
    ("Qwen/Qwen1.5-MoE-A2.7B", None, 2_700 * M),
    # later tokens are training tokens / context / a teacher: the first token is the size
    ("TinyLlama/TinyLlama-1.1B-intermediate-step-1195k-token-2.5T", 1_100 * M, None),
    ("alon-albalak/ODM_1B_params_50B_tokens", 1 * B, None),
]
NEGATIVE = [
    "x/model-v2",
    "google-t5/t5-base",
    "intfloat/e5-large-v2",
    "openai-community/gpt-4",
    "x/llama-3",
    "Qwen/qwen2.5",
    "x/model-2024-05",
    "x/model-2024-05-13",
    "deepseek-ai/DeepSeek-R1-0528",
    "microsoft/Phi-3-mini-4k-instruct",
    "x/foo-1.58bit",
    "x/foo-exl2-4.0bpw",
    "sentence-transformers/all-MiniLM-L6-v2",
    "openai-community/gpt2-xl",
    "x/model-q4_k_m",
    "x/model-int4",
    "x/model-w8a8",
    "x/model-fp8",
    "x/bert-base-uncased",
    "google/vit-base-patch16-224",
    "x/clip-ViT-B-32",
    "x/gpt-4o-mini",
    "openai/whisper-large-v3",
    "x/phi-2",
]


@pytest.mark.parametrize(("name", "total", "active"), POSITIVE)
def test_name_positive(name: str, total: int | None, active: int | None) -> None:
    assert parse_params_from_name(name) == (total, active)


@pytest.mark.parametrize("name", NEGATIVE)
def test_name_negative(name: str) -> None:
    assert parse_params_from_name(name) == (None, None)


def test_name_moe_nxm_estimate() -> None:
    # Mixtral 8x7B is 46.7B total / 12.9B active; 8 x 7B = 56B would be 20% off. The FFN-share estimate is
    # within 4% (documented approximation).
    total, active = parse_params_from_name("mistralai/Mixtral-8x7B-v0.1")
    assert total is not None and active is not None
    assert abs(total / 46.7e9 - 1) < 0.05 and abs(active / 12.9e9 - 1) < 0.05
    total, _ = parse_params_from_name("mistralai/Mixtral-8x22B-v0.1")
    assert total is not None and abs(total / 141e9 - 1) < 0.05


def test_name_vectorized_equals_python() -> None:
    names = [n for n, *_ in POSITIVE] + NEGATIVE + ["mistralai/Mixtral-8x7B-v0.1", "x/Mixtral-2x7B"]
    with REFERENCE_CSV.open() as fh:
        names += [r["model_id"] for r in csv.DictReader(fh)]
    t, a = name_params_expr()
    out = pl.DataFrame({"model_id": names}).with_columns(t.alias("t"), a.alias("a"))
    for mid, tot, act in out.iter_rows():
        assert (tot, act) == parse_params_from_name(mid), mid


# ------------------------------------------------------------ corrections
def test_mlx_4bit_real_record() -> None:
    # Real record (finetune-trees): mlx-community/EXAONE-Deep-32B-4bit, true 32.0B.
    r = resolve_one(
        model_id="mlx-community/EXAONE-Deep-32B-4bit",
        tags=["mlx", "4-bit"],
        safetensors_total=5001057280,
        safetensors_dtypes={"F16": 1000739840, "U32": 4000317440},
    )
    assert r["params_source"] == "safetensors" and r["params_flags"] == "packed_quant_corrected:mlx"
    assert abs(r["params_total"] / 32003200000 - 1) < 0.01


@pytest.mark.parametrize(
    ("model_id", "u32", "flag"),
    [
        (
            "mlx-community/EXAONE-Deep-32B-6bit",
            6000476160,
            "packed_quant_corrected:mlx",
        ),  # bits from the name
        ("mlx-community/EXAONE-Deep-32B-3bit", 3000238080, "packed_quant_corrected:mlx"),
        # same real dtype mix, bit width removed from the name: inferred from the F16/U32 ratio
        ("x/EXAONE-Deep-32B-mlx", 6000476160, "packed_quant_corrected:mlx_bits_inferred"),
        ("x/EXAONE-Deep-32B-mlx", 3000238080, "packed_quant_corrected:mlx_bits_inferred"),
    ],
)
def test_mlx_other_bit_widths(model_id: str, u32: int, flag: str) -> None:
    r = resolve_one(model_id=model_id, tags=["mlx"], safetensors_dtypes={"F16": 1000739840, "U32": u32})
    assert r["params_flags"] == flag
    assert abs(r["params_total"] / 32003200000 - 1) < 0.01


def test_packed_total_without_dtypes_is_demoted() -> None:
    # Real trending record: the Hub's safetensors total for an MLX repo, no dtype mix -> the name wins.
    r = resolve_one(model_id="orcarouter/Qwen3.8-27B-Uncensored-MLX", safetensors_total=4665462000)
    assert r["params_source"] == "name" and r["params_total"] == 27 * B


def test_implausibly_small_total_is_demoted() -> None:
    # Real trending record: deepreinforce-ai/Ornith-1.0-35B shows 664,944 safetensors parameters.
    r = resolve_one(model_id="deepreinforce-ai/Ornith-1.0-35B", safetensors_total=664944)
    assert r["params_source"] == "name" and r["params_total"] == 35 * B


Q = 6_476_005_376  # Llama-2-7B's linear weights; 0.26B unquantized F16 besides (embeddings, head)
EXPERTS = 19_000_000_000  # gpt-oss-20b's expert weights


@pytest.mark.parametrize(
    ("model_id", "tags", "dtypes", "flag", "expected", "tolerance"),
    [
        # GPTQ: 8 int4 per I32, plus per-group scales/zeros
        ("TheBloke/Llama-2-7B-GPTQ", ["gptq", "4-bit"], {"I32": Q // 8 + Q // 128 // 8, "F16": 262_410_240 + Q // 128},
         "packed_quant_corrected:gptq_awq", 6_738_415_616, 0.02),
        ("x/llama2-awq", ["awq"], {"I32": Q // 8, "F16": 262_410_240},
         "packed_quant_corrected:gptq_awq_bits_assumed_4", 6_738_415_616, 0.02),
        ("unsloth/llama-2-7b-bnb-4bit", ["bitsandbytes", "4-bit"], {"U8": Q // 2, "F16": 262_410_240, "F32": Q // 64},
         "packed_quant_corrected:bnb4", 6_738_415_616, 0.03),
        # mxfp4 (gpt-oss): expert weights as U8 blocks (2 FP4 per byte) + U8 scales (1 per 32); the rest BF16
        ("openai/gpt-oss-20b", ["mxfp4", "8-bit"], {"U8": EXPERTS // 2 + EXPERTS // 32, "BF16": 1_900_000_000},
         "packed_quant_corrected:mxfp4", 20.9e9, 0.01),
    ],
    ids=["gptq-int4", "awq-bits-assumed", "bnb-4bit", "mxfp4"],
)  # fmt: skip
def test_packed_quantization_is_corrected(
    model_id: str, tags: list[str], dtypes: dict[str, int], flag: str, expected: float, tolerance: float
) -> None:
    r = resolve_one(model_id=model_id, tags=tags, safetensors_dtypes=dtypes)
    assert r["params_flags"] == flag
    assert abs(r["params_total"] / expected - 1) < tolerance


def test_packed_without_known_layout_is_flagged_and_demoted() -> None:
    # Integer-heavy dtype mix, no quantization tag: uncorrectable -> name wins, safetensors kept as a source.
    resolved, sources = resolve_params(
        frame(
            {
                "model_id": "x/Some-14B-quant",
                "safetensors_dtypes": {"I32": 1_600_000_000, "F16": 800_000_000},
                "safetensors_total": 2_400_000_000,
            }
        ),
        EMPTY_LINEAGE,
        None,
    )
    r = resolved.row(0, named=True)
    assert r["params_source"] == "name" and r["params_total"] == 14 * B
    st = sources.filter(pl.col("source") == "safetensors").row(0, named=True)
    assert st["note"] == "packed_quant_uncorrected"


def test_packed_alone_is_last_resort() -> None:
    r = resolve_one(model_id="x/noname", safetensors_dtypes={"I32": 100, "F16": 50}, safetensors_total=150)
    assert r["params_source"] == "safetensors" and "packed_quant_uncorrected" in r["params_flags"]


def test_fp8_and_int8_not_corrected() -> None:
    # Real record: FriendliAI/Llama-2-7b-chat-hf-fp8 (I8 is one value per element).
    r = resolve_one(
        model_id="FriendliAI/Llama-2-7b-chat-hf-fp8",
        tags=["8-bit"],
        safetensors_dtypes={"F16": 262410240, "I8": 6476005376},
        safetensors_total=6738415616,
    )
    assert r["params_total"] == 6738415616 and r["params_flags"] is None


def test_adapter_weights_not_used_as_size() -> None:
    models = frame(
        {
            "model_id": "microsoft/phi-2",
            "safetensors_dtypes": {"F16": 2779683840},
            "safetensors_total": 2779683840,
        },
        {
            "model_id": "u/phi2-lora",
            "library_name": "peft",
            "tags": ["peft", "lora"],
            "base_relation": "adapter",
            "base_models": ["microsoft/phi-2"],
            "safetensors_dtypes": {"F32": 10_485_760},
            "safetensors_total": 10_485_760,
        },
    )
    resolved, sources = resolve_params(models, EMPTY_LINEAGE, None)
    r = resolved.filter(pl.col("model_id") == "u/phi2-lora").row(0, named=True)
    assert r["params_source"] == "base_model" and r["params_total"] == 2779683840
    assert "adapter_weights_only" in r["params_flags"]
    assert sources.filter((pl.col("model_id") == "u/phi2-lora") & (pl.col("source") == "safetensors")).height == 1


# ------------------------------------------------------------ the chain
def test_chain_order_and_every_source_kept() -> None:
    models = frame(
        {
            "model_id": "org/Base-7B",
            "safetensors_dtypes": {"BF16": 7_241_732_096},
            "safetensors_total": 7_241_732_096,
            "gguf_total": 7_000_000_000,
        },
        {
            "model_id": "org/Base-7B-GGUF",
            "gguf_total": 7_241_732_000,
            "base_models": ["org/Base-7B"],
            "base_relation": "quantized",
        },
        {"model_id": "org/finetune", "base_models": ["org/Base-7B"], "base_relation": "finetune"},
        {"model_id": "org/ft-of-ft", "base_models": ["org/finetune"], "base_relation": "finetune"},
        {"model_id": "org/Other-3B"},
        {"model_id": "org/nothing"},
    )
    ref = pl.DataFrame(
        {
            "model_id": ["org/Base-7B"],
            "params_total": [7_241_732_100],
            "params_active": [None],
            "num_experts": [None],
            "source": ["catalog"],
        },
        schema_overrides={"params_active": pl.Int64, "num_experts": pl.Int32},
    )
    resolved, sources = resolve_params(models, EMPTY_LINEAGE, ref)
    got = {r["model_id"]: (r["params_source"], r["params_total"]) for r in resolved.iter_rows(named=True)}
    assert got["org/Base-7B"] == ("reference", 7_241_732_100)
    assert got["org/Base-7B-GGUF"] == ("gguf", 7_241_732_000)
    assert got["org/finetune"] == ("base_model", 7_241_732_100)
    assert got["org/ft-of-ft"] == ("base_model", 7_241_732_100)
    assert got["org/Other-3B"] == ("name", 3 * B)
    assert got["org/nothing"] == ("unknown", None)
    base_sources = set(sources.filter(pl.col("model_id") == "org/Base-7B")["source"])
    assert base_sources == {"reference", "safetensors", "gguf", "name"}
    # without the reference, safetensors wins
    resolved, _ = resolve_params(models, EMPTY_LINEAGE, None)
    assert resolved.row(0, named=True)["params_source"] == "safetensors"


def test_reference_far_from_weight_files_is_rejected() -> None:
    # The catalog has GGUF repos counted at a few hundred thousand for a 35B model: such a reference loses.
    models = frame({"model_id": "org/Big-35B", "gguf_total": 34_131_148_800})
    ref = pl.DataFrame({"model_id": ["org/Big-35B"], "params_total": [664_944], "params_active": [52_983]})
    r = resolve_params(models, EMPTY_LINEAGE, ref)[0].row(0, named=True)
    assert r["params_source"] == "gguf" and "reference_rejected" in r["params_flags"]


def test_moe_active_from_name_and_unknown_flag() -> None:
    r = resolve_one(
        model_id="Qwen/Qwen3-30B-A3B",
        tags=["qwen3_moe"],
        safetensors_total=30_532_122_624,
        safetensors_dtypes={"BF16": 30_532_122_624},
    )
    assert (r["params_total"], r["params_active"]) == (30_532_122_624, 3 * B)
    r = resolve_one(
        model_id="deepseek-ai/DeepSeek-V3",
        tags=["deepseek_v3"],
        safetensors_total=684_531_386_000,
        safetensors_dtypes={"BF16": 3918786560, "F8_E4M3": 680571043840, "F32": 41555600},
    )
    assert r["params_active"] is None and "moe_active_unknown" in r["params_flags"]
    r = resolve_one(model_id="x/dense", safetensors_dtypes={"BF16": 100}, safetensors_total=100)
    assert r["params_active"] == 100


def test_base_disagreeing_with_name_loses() -> None:
    # Real pattern: "chitdev/deepseek-r1-distill-7b" carries base_model DeepSeek-R1 (671B).
    models = frame(
        {
            "model_id": "deepseek-ai/DeepSeek-R1",
            "safetensors_total": 684_531_386_000,
            "safetensors_dtypes": {"BF16": 3918786560, "F8_E4M3": 680571043840, "F32": 41555600},
        },
        {
            "model_id": "chitdev/deepseek-r1-distill-7b",
            "base_models": ["deepseek-ai/DeepSeek-R1"],
            "base_relation": "finetune",
        },
    )
    r = resolve_params(models, EMPTY_LINEAGE, None)[0].row(1, named=True)
    assert r["params_source"] == "name" and r["params_total"] == 7 * B
    assert "base_disagrees_with_name" in r["params_flags"]


def test_lineage_cycle_terminates() -> None:
    models = frame(
        {"model_id": "a/x", "base_models": ["b/y"], "base_relation": "finetune"},
        {"model_id": "b/y", "base_models": ["a/x"], "base_relation": "finetune"},
    )
    resolved, _ = resolve_params(models, EMPTY_LINEAGE, None)
    assert resolved["params_source"].to_list() == ["unknown", "unknown"]


# ------------------------------------------------------------ accuracy
def load_reference_inputs() -> tuple[pl.DataFrame, pl.DataFrame]:
    """(truth, models) from tests/data/reference_models.csv: truth columns and the real input fields."""
    raw = pl.read_csv(REFERENCE_CSV, infer_schema=False)
    truth = raw.select(
        "model_id",
        pl.col("params_total").cast(pl.Int64).alias("true_total"),
        pl.col("params_active").cast(pl.Int64).alias("true_active"),
        "kind",
        "source",
        "input_record",
    )

    def split(c: str) -> pl.Expr:
        return pl.when(pl.col(c).is_null()).then(pl.lit([], pl.List(pl.String))).otherwise(pl.col(c).str.split("|"))

    models = raw.select(
        "model_id",
        pl.col("model_id").str.split("/").list.first().alias("author"),
        "pipeline_tag",
        "library_name",
        split("tags").alias("tags"),
        pl.lit(None, pl.String).alias("license_raw"),
        pl.col("safetensors_total").cast(pl.Int64),
        "safetensors_dtypes",
        pl.col("gguf_total").cast(pl.Int64),
        "gguf_architecture",
        split("base_models").alias("base_models"),
        "base_relation",
        pl.lit(0, pl.Int64).alias("downloads_30d"),
    )
    return truth, models


def test_reference_table_shape() -> None:
    truth, _ = load_reference_inputs()
    assert truth.height >= 150
    assert truth["model_id"].n_unique() == truth.height
    assert truth["source"].null_count() == 0
    kinds = set(truth["kind"])
    for k in (
        "dense",
        "moe",
        "quantized-gptq",
        "quantized-awq",
        "quantized-gguf",
        "quantized-mlx",
        "adapter",
        "encoder",
        "tiny",
        "frontier",
    ):
        assert k in kinds, k
    moe = truth.filter(pl.col("kind") == "moe")
    assert moe["true_active"].null_count() == 0


def test_reference_accuracy_without_reference_table() -> None:
    truth, models = load_reference_inputs()
    resolved, _ = resolve_params(models, EMPTY_LINEAGE, None)
    j = truth.join(resolved, on="model_id")
    ratio = j["params_total"].cast(pl.Float64) / j["true_total"].cast(pl.Float64)
    j = j.with_columns(ratio.is_between(0.9, 1.1).fill_null(False).alias("ok"))
    acc = j["ok"].mean()
    threshold = 10e9
    pairs = [
        (model_class(p, threshold), model_class(t, threshold))
        for p, t in zip(j["params_total"].to_list(), j["true_total"].to_list(), strict=True)
    ]
    # Agreement where the resolver gave a class (an unknown size is shown as "unknown", never as a wrong
    # class); the all-rows figure, counting unknown as disagreement, is reported beside it.
    classed = [(a, b) for a, b in pairs if a is not None]
    agree = sum(a == b for a, b in classed) / len(classed)
    agree_all = sum(a == b for a, b in pairs) / len(pairs)
    by_kind = j.group_by("kind").agg(pl.len(), pl.col("ok").mean().round(3)).sort("kind")
    by_src = j.group_by("params_source").agg(pl.len(), pl.col("ok").mean().round(3)).sort("params_source")
    misses = j.filter(~pl.col("ok")).select("model_id", "true_total", "params_total", "params_source")
    moe = j.filter(pl.col("true_active").is_not_null() & (pl.col("true_active") != pl.col("true_total")))
    act_ok = (moe["params_active"].cast(pl.Float64) / moe["true_active"]).is_between(0.9, 1.1).fill_null(False)
    report = (
        f"\nreference accuracy (±10%, no reference table): {acc:.1%} of {j.height}; "
        f"SLM/LLM agreement at 10B: {agree:.1%} of {len(classed)} classed "
        f"({agree_all:.1%} of all {len(pairs)}, "
        f"unknown counted as disagreement); MoE active within ±10%: {act_ok.mean():.1%} of {moe.height}"
        f"\n{by_kind}\n{by_src}\nmisses:\n{misses}"
    )
    print(report)
    assert acc >= 0.90, report
    assert agree >= 0.95, report


def test_reference_packed_undercount_rejected_but_draft_model_kept() -> None:
    # Catalog rows seen in the bundled snapshot: an MLX 3-bit repo counted at 8.8B for a 70B model (packed
    # undercount, rejected), and a 785M speculative-decoding draft named after gpt-oss-20b (kept: exact).
    models = frame(
        {"model_id": "mlx-community/Llama-3.3-70B-Instruct-3bit", "tags": ["mlx"]},
        {"model_id": "z-lab/gpt-oss-20b-DFlash"},
    )
    ref = pl.DataFrame(
        {
            "model_id": ["mlx-community/Llama-3.3-70B-Instruct-3bit", "z-lab/gpt-oss-20b-DFlash"],
            "params_total": [8_820_367_360, 784_767_104],
            "params_active": [None, None],
        },
        schema_overrides={"params_active": pl.Int64},
    )
    resolved, _ = resolve_params(models, EMPTY_LINEAGE, ref)
    a, b = resolved.rows(named=True)
    assert a["params_source"] == "name" and a["params_total"] == 70 * B and "reference_rejected" in a["params_flags"]
    assert b["params_source"] == "reference" and b["params_total"] == 784_767_104


def test_sizing_reads_only_declared_tags() -> None:
    # the writer hands enrich only INPUT_TAGS: filtering the tags to them changes nothing ...
    from pipeline.enrich import INPUT_TAGS, enrich, load_config
    from pipeline.enrich.sizing import _has_tag

    _, models = load_reference_inputs()
    noisy = models.with_columns(pl.col("tags").list.concat(pl.lit(["region:us", "endpoints_compatible", "en"])))
    kept = noisy.with_columns(pl.col("tags").list.eval(pl.element().filter(pl.element().is_in(INPUT_TAGS))))
    assert enrich(noisy, EMPTY_LINEAGE, None, load_config())[0].equals(
        enrich(kept, EMPTY_LINEAGE, None, load_config())[0]
    )
    # ... and a rule that reads an undeclared tag is refused when it is written, not silently never matched
    with pytest.raises(ValueError, match="does not declare"):
        _has_tag("region:us")


# ------------------------------------------------------------ issue 13 item 6: counts far below the base they quantize
# Real ids and counts: data/snapshot/reference_params.parquet and lineage.parquet (catalog-2026-10, catalog-gguf).
GPT_OSS = {
    "openai/gpt-oss-20b": (20_914_757_184, 3_529_365_271),
    "openai/gpt-oss-120b": (116_829_156_672, 9_309_823_421),
    "unsloth/gpt-oss-20b-GGUF": (1_773_527_040, 299_282_688),  # the catalog's count of the GGUF files (packed)
    "unsloth/gpt-oss-120b-GGUF": (2_370_723_840, 188_917_056),
    "google/gemma-4-31B-it-qat-q4_0-unquantized": (32_682_372_656, None),
    "google/gemma-4-31B-it-qat-q4_0-unquantized-assistant": (469_518_596, None),
    "bartowski/Qwen2.5-7B-Instruct-GGUF": (7_615_616_512, None),
    "Qwen/Qwen2.5-7B-Instruct": (7_615_616_512, None),
}


def _gguf_case() -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    models = frame(*({"model_id": m, "pipeline_tag": "text-generation"} for m in GPT_OSS))
    reference = pl.DataFrame(
        [{"model_id": m, "params_total": t, "params_active": a} for m, (t, a) in GPT_OSS.items()],
        schema={"model_id": pl.String, "params_total": pl.Int64, "params_active": pl.Int64},
    )
    lineage = pl.DataFrame(
        {
            "child_id": ["unsloth/gpt-oss-20b-GGUF", "unsloth/gpt-oss-120b-GGUF", "bartowski/Qwen2.5-7B-Instruct-GGUF"],
            "parent_id": ["openai/gpt-oss-20b", "openai/gpt-oss-120b", "Qwen/Qwen2.5-7B-Instruct"],
            "relation": ["quantized"] * 3,
            "source": ["catalog-gguf"] * 3,
        }
    )
    return models, lineage, reference


def test_gguf_of_a_moe_base_far_below_it_takes_the_base_count() -> None:
    models, lineage, reference = _gguf_case()
    resolved, sources = resolve_params(models, lineage, reference)
    got = {r["model_id"]: r for r in resolved.to_dicts()}
    for gguf, base in (
        ("unsloth/gpt-oss-20b-GGUF", "openai/gpt-oss-20b"),
        ("unsloth/gpt-oss-120b-GGUF", "openai/gpt-oss-120b"),
    ):
        r = got[gguf]
        assert (r["params_total"], r["params_active"]) == GPT_OSS[base], gguf
        assert r["params_source"] == "base_model" and "below_quantized_base" in r["params_flags"]
        assert model_class(r["params_total"], 10e9) == "LLM"  # was an "SLM derived from an LLM"
        # the catalog's own figure stays on record beside the chosen one
        rows = {s["source"]: s for s in sources.filter(pl.col("model_id") == gguf).to_dicts()}
        assert rows["reference"]["params_total"] == GPT_OSS[gguf][0]
        assert rows["base_model"]["note"] == f"from {base} via quantized"
    # a GGUF whose count matches its base is left alone
    q = got["bartowski/Qwen2.5-7B-Instruct-GGUF"]
    assert q["params_source"] == "reference" and q["params_total"] == 7_615_616_512 and q["params_flags"] is None


def test_a_draft_assistant_keeps_its_own_count_flagged() -> None:
    # gemma-4-31B-it-qat-q4_0-unquantized-assistant is a 4-layer drafter (architecture gemma4_assistant in the
    # catalog): 470M is its real size, the 31B in its name is the target's. Flagged, not resized.
    models, lineage, reference = _gguf_case()
    got = {r["model_id"]: r for r in resolve_params(models, lineage, reference)[0].to_dicts()}
    a = got["google/gemma-4-31B-it-qat-q4_0-unquantized-assistant"]
    assert a["params_total"] == 469_518_596 and a["params_source"] == "reference" and a["params_flags"] == "draft_head"
    b = got["google/gemma-4-31B-it-qat-q4_0-unquantized"]
    assert b["params_total"] == 32_682_372_656 and b["params_flags"] is None
