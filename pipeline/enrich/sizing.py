"""Parameter-count resolution with provenance (pure polars, vectorized).

Chain, first usable value wins (see docs/sizing.md for why this order):

1. ``reference``   exact counts from the bundled catalog (read from weight files), unless implausible
2. ``safetensors`` the Hub's safetensors dtype counts, corrected for packed quantized weights
3. ``gguf``        the Hub's gguf.total (element counts, already unpacked)
4. ``base_model``  inherited from the nearest ancestor with an own count (finetune/quantized/adapter)
5. ``name``        parsed from the repo name (``7B``, ``30B-A3B``, ``8x7B`` ...)
6. ``base_model``  inherited through a merge-only link (frankenmerges change size, so after the name)
7. ``safetensors`` a packed-quantized count that could not be corrected (flagged, last resort)
8. ``unknown``

Every source's value is also kept in a long ``params_sources`` frame so disagreements stay visible.
"""

from __future__ import annotations

from typing import Any

import polars as pl

# Name parsing lives in names.py, the resolution over many models in resolve.py; both re-exported here.
from pipeline.enrich.names import (  # noqa: F401
    MOE_FFN_SHARE,
    RE_N_X_M,
    name_key_expr,
    name_params_expr,
    parse_params_from_name,
)

# ---------------------------------------------------------------------------------------------------------
# safetensors: the Hub's "total" is a plain sum of element counts per dtype. Packed quantized formats store
# several low-bit weights per integer element, so the sum undercounts. Corrections below; see docs/sizing.md.
# ---------------------------------------------------------------------------------------------------------
DTYPES = [
    "F64",
    "F32",
    "F16",
    "BF16",
    "F8_E4M3",
    "F8_E5M2",
    "F8_E8M0",
    "F4",
    "I64",
    "I32",
    "I16",
    "I8",
    "U64",
    "U32",
    "U16",
    "U8",
    "BOOL",
]
_DTYPE_STRUCT = pl.Struct({d: pl.Int64 for d in DTYPES})

MLX_GROUP = 64  # mlx quantize default group size: one scale + one bias (float) per 64 weights
PACKED_SHARE_SUSPECT = 0.2  # integer share of the sum above which an unexplained repo is called packed


# The tags sizing reads besides MOE_TAGS. The writer hands enrich only the declared tags (pipeline.enrich.INPUT_TAGS),
# so reading an undeclared one is refused here rather than silently never matching.
QUANT_TAGS = ("4-bit", "8-bit", "mlx", "gptq", "awq", "mxfp4", "nvfp4", "bitsandbytes", "peft", "lora")


def _has_tag(tag: str) -> pl.Expr:
    if tag not in QUANT_TAGS:
        raise ValueError(f"sizing reads tag {tag!r} that QUANT_TAGS does not declare")
    return pl.col("tags").list.contains(tag).fill_null(False)


def quant_bits_expr() -> pl.Expr:
    """Bit width stated by tags or name (4-bit, 8bit, int4, w4a16, 3bit ...); null when not stated."""
    name = pl.col("model_id").str.to_lowercase()
    from_name = name.str.extract(r"(?:^|[^a-z0-9])(?:int|w|q)?([2-8])[-_]?(?:bit|bits|a16)(?:$|[^a-z0-9])", 1)
    from_int = name.str.extract(r"(?:^|[^a-z0-9])int([48])(?:$|[^a-z0-9])", 1)
    return (
        pl.when(_has_tag("4-bit"))
        .then(pl.lit(4))
        .when(_has_tag("8-bit"))
        .then(pl.lit(8))
        .otherwise(pl.coalesce(from_name, from_int).cast(pl.Int64))
    )


def _is_mlx() -> pl.Expr:
    return (
        _has_tag("mlx")
        | (pl.col("library_name").fill_null("") == "mlx")
        | pl.col("model_id").str.to_lowercase().str.contains("mlx")
    )


def packed_kind_expr() -> pl.Expr:
    """True for repos in a packed low-bit format (by tags, library or name), whose plain counts undercount."""
    name = pl.col("model_id").str.to_lowercase()
    return (
        _is_mlx()
        | _has_tag("gptq")
        | _has_tag("awq")
        | _has_tag("mxfp4")
        | _has_tag("nvfp4")
        | _has_tag("bitsandbytes")
        | _has_tag("4-bit")
        | name.str.contains(r"gptq|awq|autoround|mxfp4|nvfp4|bnb|[^0-9][2-6][-_]?bits?(?:$|[^a-z0-9])|int4|w4a16")
    )


def dtypes_expr() -> pl.Expr:
    """safetensors_dtypes (JSON text) decoded to a struct of per-dtype counts."""
    return pl.col("safetensors_dtypes").str.json_decode(dtype=_DTYPE_STRUCT)


def safetensors_corrected_expr(dtypes: pl.Expr | None = None) -> tuple[pl.Expr, pl.Expr, pl.Expr]:
    """(value, flag, usable) for the safetensors source.

    value is the corrected count, flag says what was done, usable is False when the count is known to be
    wrong for the model's size (adapter weights only, packed weights of unknown layout). `dtypes` is
    dtypes_expr() already computed (a column): the rule reads it ~30 times, so callers over many rows decode
    the JSON once.
    """
    d = dtypes_expr() if dtypes is None else dtypes

    def f(k: str) -> pl.Expr:
        return d.struct.field(k).fill_null(0)

    floats = f("F64") + f("F32") + f("F16") + f("BF16")
    f8 = f("F8_E4M3") + f("F8_E5M2")
    ints = f("I32") + f("U32") + f("U8") + f("I8") + f("I16") + f("U16") + f("I64") + f("U64")
    raw = pl.coalesce(pl.col("safetensors_total"), (floats + f8 + ints + f("BOOL") + f("F4")))
    raw = (
        pl.when(pl.col("safetensors_total").is_null() & pl.col("safetensors_dtypes").is_null())
        .then(None)
        .otherwise(raw)
    )

    name = pl.col("model_id").str.to_lowercase()
    lib = pl.col("library_name").fill_null("")
    is_mlx = _is_mlx()
    is_gptq_awq = _has_tag("gptq") | _has_tag("awq") | name.str.contains(r"gptq|awq|autoround")
    is_mxfp4 = _has_tag("mxfp4") | name.str.contains("mxfp4")
    is_nvfp4 = _has_tag("nvfp4") | name.str.contains("nvfp4")
    is_bnb4 = (_has_tag("bitsandbytes") | name.str.contains("bnb")) & (
        _has_tag("4-bit") | name.str.contains(r"4bit|4-bit|nf4")
    )
    is_adapter = (
        (pl.col("base_relation").fill_null("") == "adapter") | (lib == "peft") | _has_tag("peft") | _has_tag("lora")
    )

    bits = quant_bits_expr()
    # MLX: U32 packs 32/bits weights; floats are mostly the per-group scale+bias (2 per 64 weights). When the
    # bit width is not stated, the float/U32 ratio gives it: floats/U32 ~ (2/64)/(bits/32) = 1/bits.
    mlx_bits_inferred = (f("U32") / floats.cast(pl.Float64).clip(lower_bound=1)).round().cast(pl.Int64)
    mlx_bits_inferred = pl.when(mlx_bits_inferred.is_between(2, 8)).then(mlx_bits_inferred).otherwise(None)
    mlx_bits = pl.coalesce(bits, mlx_bits_inferred)
    mlx_q = f("U32") * 32 / mlx_bits
    mlx_val = mlx_q + (floats - 2 * mlx_q / MLX_GROUP).clip(lower_bound=0) + f("U8") + f8
    # GPTQ/AWQ: qweight I32 packs 32/bits weights; qzeros/g_idx (I32) and scales (float) are < 2% extra.
    ga_bits = pl.coalesce(bits, pl.lit(4))
    ga_val = f("I32") * 32 / ga_bits + floats + f8 + f("U8")
    # bitsandbytes nf4/fp4: U8 holds two 4-bit weights.
    bnb_val = f("U8") * 2 + floats + f("I32")
    # MXFP4 (gpt-oss): U8 blocks hold two FP4 weights plus one U8 scale per 32 weights -> U8 = N * 17/32.
    mx_val = f("U8") * 32 / 17 + floats + f8
    # NVFP4: U8 holds two FP4 weights; F8 are per-16 block scales, not weights.
    nv_val = f("U8") * 2 + floats

    has_u32 = f("U32") > 0
    has_i32 = f("I32") > 0
    has_u8 = f("U8") > 0
    int_share = ints.cast(pl.Float64) / raw.cast(pl.Float64).clip(lower_bound=1)

    value = (
        pl.when(raw.is_null())
        .then(None)
        .when(is_mxfp4 & has_u8)
        .then(mx_val)
        .when(is_nvfp4 & has_u8)
        .then(nv_val)
        .when(is_mlx & has_u32 & mlx_bits.is_not_null())
        .then(mlx_val)
        .when(is_gptq_awq & has_i32)
        .then(ga_val)
        .when(is_bnb4 & has_u8)
        .then(bnb_val)
        .otherwise(raw)
    )
    flag = (
        pl.when(raw.is_null())
        .then(None)
        .when(is_adapter)
        .then(pl.lit("adapter_weights_only"))
        .when(is_mxfp4 & has_u8)
        .then(pl.lit("packed_quant_corrected:mxfp4"))
        .when(is_nvfp4 & has_u8)
        .then(pl.lit("packed_quant_corrected:nvfp4"))
        .when(is_mlx & has_u32 & bits.is_not_null())
        .then(pl.lit("packed_quant_corrected:mlx"))
        .when(is_mlx & has_u32 & mlx_bits.is_not_null())
        .then(pl.lit("packed_quant_corrected:mlx_bits_inferred"))
        .when(is_gptq_awq & has_i32 & bits.is_not_null())
        .then(pl.lit("packed_quant_corrected:gptq_awq"))
        .when(is_gptq_awq & has_i32)
        .then(pl.lit("packed_quant_corrected:gptq_awq_bits_assumed_4"))
        .when(is_bnb4 & has_u8)
        .then(pl.lit("packed_quant_corrected:bnb4"))
        .when((has_u32 | has_i32 | has_u8) & (int_share > PACKED_SHARE_SUSPECT))
        .then(pl.lit("packed_quant_uncorrected"))
        # a packed format by tags/name but only the plain total (no dtype mix) to correct it with
        .when(pl.col("safetensors_dtypes").is_null() & (is_mlx | is_gptq_awq | is_mxfp4 | is_nvfp4 | is_bnb4))
        .then(pl.lit("packed_quant_uncorrected"))
        .otherwise(None)
    )
    usable = raw.is_not_null() & ~flag.fill_null("").is_in(["adapter_weights_only", "packed_quant_uncorrected"])
    return value.round().cast(pl.Int64), flag, usable


MOE_TAGS = [
    "moe",
    "mixtral",
    "qwen2_moe",
    "qwen3_moe",
    "deepseek_v2",
    "deepseek_v3",
    "gpt_oss",
    "llama4",
    "dbrx",
    "jamba",
    "olmoe",
    "granitemoe",
    "phimoe",
    "glm4_moe",
    "minimax",
    "kimi_k2",
]


def is_moe_expr() -> pl.Expr:
    """Mixture-of-experts by tags or gguf architecture (so active = total is not assumed)."""
    tag_hit = pl.col("tags").list.eval(pl.element().is_in(MOE_TAGS)).list.any().fill_null(False)
    arch = pl.col("gguf_architecture").fill_null("").str.to_lowercase()
    return tag_hit | arch.str.contains(r"moe|mixtral|deepseek2|qwen3moe|gpt-oss|llama4")


def __getattr__(name: str) -> Any:
    # resolve.py imports this module, so its names are re-exported lazily (PEP 562) to avoid an import cycle.
    if name in ("resolve_params", "lineage_edges", "choose_parent", "RELATION_RANK"):
        from pipeline.enrich import resolve

        return getattr(resolve, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
