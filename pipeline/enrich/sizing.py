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

import re

import polars as pl

# ---------------------------------------------------------------------------------------------------------
# Name parsing. The same regexes serve the pure-python and the polars versions. Rust's regex engine has no
# look-around, so word boundaries are spelled out as "(?:^|[^a-z0-9.])" before and "(?:$|[^a-z0-9])" after:
# a size token must stand alone between separators, which is what keeps "qwen2.5", "e5", "gpt-4", "v2",
# "4bit", "q4_k_m", "w8a8" and dates from firing.
# ---------------------------------------------------------------------------------------------------------
_PRE = r"(?:^|[^a-z0-9.])"
_POST = r"(?:$|[^a-z0-9])"
_NUM = r"(\d+(?:\.\d+)?)"
# "30b-a3b", "235b-a22b", "80b-a3b": total and active.
RE_TOTAL_ACTIVE = _PRE + _NUM + r"([bmt])[-_]*a" + _NUM + r"([bm])" + _POST
# "8x7b", "8x22b", "2x7b": mixture of N experts of an M-sized base.
RE_N_X_M = _PRE + r"(\d+)x" + _NUM + r"([bm])" + _POST
# "moe-a2.7b": active only.
RE_ACTIVE_ONLY = _PRE + r"a" + _NUM + r"([bm])" + _POST
# "17b-16e" (Llama 4 Scout/Maverick): the size token is the ACTIVE count, total is not in the name.
RE_B_E = _PRE + _NUM + r"([bm])[-_]+(\d+)e" + _POST
# plain "7b", "1.5b", "270m", "1t".
RE_PLAIN = _PRE + _NUM + r"([bmt])" + _POST

UNIT = {"m": 1e6, "b": 1e9, "t": 1e12}

# N experts of an M-sized dense base share attention and embeddings; only the FFN is replicated. In
# Mistral-7B the FFN is ~78% of the weights, which gives Mixtral 8x7B = 7.24 * (1 + 7 * 0.78) = 46.7B (true
# 46.7B), 8x22B = 142B (true 141B), 2x7B = 12.9B (true 12.9B). Active assumes top-2 routing (Mixtral and
# mergekit-moe default).
MOE_FFN_SHARE = 0.78
MOE_TOP_K = 2

_re_total_active = re.compile(RE_TOTAL_ACTIVE)
_re_n_x_m = re.compile(RE_N_X_M)
_re_active_only = re.compile(RE_ACTIVE_ONLY)
_re_b_e = re.compile(RE_B_E)
_re_plain = re.compile(RE_PLAIN)


def _val(num: str, unit: str) -> int:
    return int(round(float(num) * UNIT[unit]))


def _moe_estimate(n: int, m: float) -> tuple[int, int]:
    total = m * (1 + (n - 1) * MOE_FFN_SHARE)
    active = m * (1 + (min(n, MOE_TOP_K) - 1) * MOE_FFN_SHARE)
    return int(round(total)), int(round(active))


def _name_part(model_id: str) -> str:
    # Separators are doubled so that adjacent tokens ("olmoe-1b-7b") each keep a boundary of their own:
    # without look-around a match consumes the separator it ends on.
    return re.sub(r"([^a-z0-9.])", r"\1\1", model_id.rsplit("/", 1)[-1].lower())


def parse_params_from_name(name: str | None) -> tuple[int | None, int | None]:
    """(total, active) parameters from a repo name or id; (None, None) when the name carries no size.

    active is None unless the name states it (``30B-A3B``, ``A2.7B``, ``17B-16E``) or implies it (``8x7B``,
    estimated with top-2 routing). For dense models the caller treats active = total.
    """
    if not name:
        return None, None
    s = _name_part(name)
    if m := _re_total_active.search(s):
        return _val(m[1], m[2]), _val(m[3], m[4])
    if m := _re_n_x_m.search(s):
        return _moe_estimate(int(m[1]), float(m[2]) * UNIT[m[3]])
    if m := _re_b_e.search(s):
        return None, _val(m[1], m[2])
    if m := _re_plain.search(s):
        # Several tokens: the first is the size. Later ones are context ("qwen2.5-7b-instruct-1m"), training
        # tokens ("tinyllama-1.1b-...-2.5t", "odm_1b_params_50b_tokens") or the teacher's size.
        return _val(m[1], m[2]), None
    if m := _re_active_only.search(s):
        return None, _val(m[1], m[2])
    return None, None


def _unit_expr(e: pl.Expr) -> pl.Expr:
    return e.replace_strict(UNIT, default=None, return_dtype=pl.Float64)


def name_params_expr(model_id: str = "model_id") -> tuple[pl.Expr, pl.Expr]:
    """Vectorized parse_params_from_name: (total, active) Int64 expressions over the model id column."""
    s = pl.col(model_id).str.split("/").list.last().str.to_lowercase().str.replace_all(r"([^a-z0-9.])", "$1$1")

    ta = s.str.extract_groups(RE_TOTAL_ACTIVE)
    ta_total = ta.struct.field("1").cast(pl.Float64) * _unit_expr(ta.struct.field("2"))
    ta_active = ta.struct.field("3").cast(pl.Float64) * _unit_expr(ta.struct.field("4"))

    nx = s.str.extract_groups(RE_N_X_M)
    n = nx.struct.field("1").cast(pl.Float64)
    msz = nx.struct.field("2").cast(pl.Float64) * _unit_expr(nx.struct.field("3"))
    nx_total = msz * (1 + (n - 1) * MOE_FFN_SHARE)
    nx_active = msz * (1 + (pl.min_horizontal(n, pl.lit(float(MOE_TOP_K))) - 1) * MOE_FFN_SHARE)

    be = s.str.extract_groups(RE_B_E)
    be_active = be.struct.field("1").cast(pl.Float64) * _unit_expr(be.struct.field("2"))

    ao = s.str.extract_groups(RE_ACTIVE_ONLY)
    ao_active = ao.struct.field("1").cast(pl.Float64) * _unit_expr(ao.struct.field("2"))

    pg = s.str.extract_groups(RE_PLAIN)
    plain_first = pg.struct.field("1").cast(pl.Float64) * _unit_expr(pg.struct.field("2"))

    total = (
        pl.when(ta_total.is_not_null())
        .then(ta_total)
        .when(nx_total.is_not_null())
        .then(nx_total)
        .when(be_active.is_not_null())
        .then(None)
        .otherwise(plain_first)
    )
    active = (
        pl.when(ta_total.is_not_null())
        .then(ta_active)
        .when(nx_total.is_not_null())
        .then(nx_active)
        .when(be_active.is_not_null())
        .then(be_active)
        .when(plain_first.is_not_null())
        .then(None)
        .otherwise(ao_active)
    )
    return total.round().cast(pl.Int64), active.round().cast(pl.Int64)


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


def safetensors_corrected_expr() -> tuple[pl.Expr, pl.Expr, pl.Expr]:
    """(value, flag, usable) for the safetensors source.

    value is the corrected count, flag says what was done, usable is False when the count is known to be
    wrong for the model's size (adapter weights only, packed weights of unknown layout).
    """
    d = pl.col("safetensors_dtypes").str.json_decode(dtype=_DTYPE_STRUCT)

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


# ---------------------------------------------------------------------------------------------------------
# Resolution
# ---------------------------------------------------------------------------------------------------------
RELATION_RANK = {"finetune": 0, "quantized": 1, "adapter": 2, "unknown": 3, "merge": 4}
MAX_DEPTH = 6
# A reference count this far from every other own source is treated as a catalog error (seen: GGUF repos
# whose catalog count is a few hundred thousand for a 35B model).
REFERENCE_MAX_RATIO = 3.0
IMPLAUSIBLE_SHARE = 0.01


def lineage_edges(models: pl.DataFrame, lineage: pl.DataFrame | None) -> pl.DataFrame:
    """child_id, parent_id, relation: the lineage frame plus models.base_models, deduplicated."""
    parts = []
    if lineage is not None and lineage.height:
        parts.append(lineage.select("child_id", "parent_id", pl.col("relation").fill_null("unknown")))
    if "base_models" in models.columns:
        parts.append(
            models.select(
                pl.col("model_id").alias("child_id"),
                pl.col("base_models").alias("parent_id"),
                pl.col("base_relation").fill_null("unknown").alias("relation"),
            )
            .explode("parent_id")
            .drop_nulls("parent_id")
        )
    if not parts:
        return pl.DataFrame(schema={"child_id": pl.String, "parent_id": pl.String, "relation": pl.String})
    return (
        pl.concat([p.cast({"child_id": pl.String, "parent_id": pl.String, "relation": pl.String}) for p in parts])
        .filter(pl.col("child_id") != pl.col("parent_id"))
        .unique()
    )


def choose_parent(edges: pl.DataFrame) -> pl.DataFrame:
    """One parent per child: finetune/quantized before adapter/unknown before merge, then lexicographic."""
    return (
        edges.with_columns(
            pl.col("relation").replace_strict(RELATION_RANK, default=3, return_dtype=pl.Int64).alias("_rank")
        )
        .sort("child_id", "_rank", "parent_id")
        .group_by("child_id", maintain_order=True)
        .first()
        .drop("_rank")
    )


def _inherit(ids: pl.DataFrame, parents: pl.DataFrame, pool: pl.DataFrame, max_depth: int = MAX_DEPTH) -> pl.DataFrame:
    """Nearest ancestor's own count: model_id -> inh_total, inh_active, inh_from, inh_relation, inh_depth.

    Iterative joins, bounded depth; a cycle just runs out of depth. inh_relation is the relation of the first
    hop (merge-first links are ranked after the name).
    """
    state = ids.join(parents, left_on="model_id", right_on="child_id", how="inner").select(
        "model_id",
        pl.col("parent_id").alias("cur"),
        pl.col("relation").alias("inh_relation"),
        pl.lit(1).alias("inh_depth"),
    )
    found: list[pl.DataFrame] = []
    for _ in range(max_depth):
        if state.height == 0:
            break
        hit = state.join(pool, left_on="cur", right_on="pid", how="left")
        found.append(
            hit.filter(pl.col("own_total").is_not_null()).select(
                "model_id",
                pl.col("own_total").alias("inh_total"),
                pl.col("own_active").alias("inh_active"),
                pl.col("cur").alias("inh_from"),
                "inh_relation",
                "inh_depth",
            )
        )
        state = (
            hit.filter(pl.col("own_total").is_null())
            .select("model_id", "cur", "inh_relation", "inh_depth")
            .join(parents, left_on="cur", right_on="child_id", how="inner")
            .select("model_id", pl.col("parent_id").alias("cur"), "inh_relation", pl.col("inh_depth") + 1)
            .filter(pl.col("cur") != pl.col("model_id"))
        )
    schema = {
        "model_id": pl.String,
        "inh_total": pl.Int64,
        "inh_active": pl.Int64,
        "inh_from": pl.String,
        "inh_relation": pl.String,
        "inh_depth": pl.Int32,
    }
    if not found:
        return pl.DataFrame(schema=schema)
    return pl.concat([f.cast(schema) for f in found]).unique("model_id", keep="first")


def resolve_params(
    models: pl.DataFrame, lineage: pl.DataFrame | None, reference: pl.DataFrame | None
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(resolved, params_sources).

    resolved: model_id, params_total, params_active, params_source, params_flags (one row per model, same
    order as models). params_sources: model_id, source, params_total, params_active, note (every source).
    """
    st_val, st_flag, st_ok = safetensors_corrected_expr()
    name_total, name_active = name_params_expr()
    gguf_total = pl.col("gguf_total") if "gguf_total" in models.columns else pl.lit(None, pl.Int64)
    own = models.select(
        "model_id",
        st_val.alias("st_total"),
        st_flag.alias("st_flag"),
        st_ok.alias("st_ok"),
        pl.when(gguf_total > 0).then(gguf_total).otherwise(None).cast(pl.Int64).alias("gguf_total_"),
        name_total.alias("name_total"),
        name_active.alias("name_active"),
        is_moe_expr().alias("is_moe"),
        packed_kind_expr().alias("is_packed"),
    )
    if reference is not None and reference.height:
        ref = reference.select(
            "model_id",
            pl.col("params_total").cast(pl.Int64).alias("ref_total"),
            pl.col("params_active").cast(pl.Int64).alias("ref_active"),
        ).unique("model_id")
        own = own.join(ref, on="model_id", how="left")
    else:
        ref = None
        own = own.with_columns(pl.lit(None, pl.Int64).alias("ref_total"), pl.lit(None, pl.Int64).alias("ref_active"))

    # Reference sanity: far from the model's own weight-file counts means a catalog error; demote it.
    other = pl.coalesce(pl.when(pl.col("st_ok")).then(pl.col("st_total")), pl.col("gguf_total_"))
    ratio = pl.col("ref_total").cast(pl.Float64) / other.cast(pl.Float64)
    vs_name = pl.col("ref_total").cast(pl.Float64) / pl.col("name_total").cast(pl.Float64)
    # Against the name only the two failure modes seen in the catalog count: a packed repo counted like the
    # Hub does (a third or less of the named size) and absurd counts (< 1% of it). Otherwise the exact
    # count stands: names also carry token counts, context lengths and the teacher's size of draft models.
    name_says_wrong = (vs_name < IMPLAUSIBLE_SHARE) | (pl.col("is_packed") & (vs_name < 1 / REFERENCE_MAX_RATIO))
    own = own.with_columns(
        (
            pl.col("ref_total").is_not_null()
            & (pl.col("ref_total") > 0)
            & (other.is_null() | ratio.is_between(1 / REFERENCE_MAX_RATIO, REFERENCE_MAX_RATIO))
            & ~name_says_wrong.fill_null(False)
        ).alias("ref_ok")
    )

    # A safetensors total below 1% of the size the name states is not the model (seen: 664,944 for a 35B repo
    # holding only a draft head): unusable, flagged.
    implausible = (
        pl.col("st_ok")
        & pl.col("name_total").is_not_null()
        & (pl.col("st_total").cast(pl.Float64) < pl.col("name_total").cast(pl.Float64) * IMPLAUSIBLE_SHARE)
    )
    own = own.with_columns(
        pl.when(implausible).then(pl.lit("implausible_vs_name")).otherwise(pl.col("st_flag")).alias("st_flag"),
        (pl.col("st_ok") & ~implausible).alias("st_ok"),
    )

    # Own (non-inherited, non-name) value: what a child may inherit.
    own = own.with_columns(
        pl.when(pl.col("ref_ok"))
        .then(pl.col("ref_total"))
        .when(pl.col("st_ok"))
        .then(pl.col("st_total"))
        .otherwise(pl.col("gguf_total_"))
        .alias("own_total"),
        pl.when(pl.col("ref_ok")).then(pl.col("ref_active")).otherwise(pl.col("name_active")).alias("own_active"),
    )

    pool = own.select(pl.col("model_id").alias("pid"), "own_total", "own_active").filter(
        pl.col("own_total").is_not_null()
    )
    if ref is not None:
        extra = ref.join(pool, left_on="model_id", right_on="pid", how="anti").select(
            pl.col("model_id").alias("pid"),
            pl.col("ref_total").alias("own_total"),
            pl.col("ref_active").alias("own_active"),
        )
        pool = pl.concat([pool, extra])

    parents = choose_parent(lineage_edges(models, lineage))
    need = own.filter(pl.col("own_total").is_null()).select("model_id")
    inh = _inherit(need, parents, pool)
    own = own.join(inh, on="model_id", how="left")

    is_merge_hop = pl.col("inh_relation") == "merge"
    # A base_model link that disagrees with the repo's own name by > 2x is usually a mis-tagged card
    # ("deepseek-r1-distill-7b" tagged with base DeepSeek-R1): the name wins there, flagged.
    inh_vs_name = pl.col("inh_total").cast(pl.Float64) / pl.col("name_total").cast(pl.Float64)
    base_conflict = pl.col("name_total").is_not_null() & ~inh_vs_name.is_between(0.5, 2.0)
    own = own.with_columns(base_conflict.fill_null(False).alias("base_conflict"))
    inh_ok = pl.col("inh_total").is_not_null() & ~pl.col("base_conflict")
    src = (
        pl.when(pl.col("ref_ok"))
        .then(pl.lit("reference"))
        .when(pl.col("st_ok"))
        .then(pl.lit("safetensors"))
        .when(pl.col("gguf_total_").is_not_null())
        .then(pl.lit("gguf"))
        .when(inh_ok & ~is_merge_hop)
        .then(pl.lit("base_model"))
        .when(pl.col("name_total").is_not_null())
        .then(pl.lit("name"))
        .when(inh_ok)
        .then(pl.lit("base_model"))
        .when(pl.col("st_total").is_not_null() & (pl.col("st_flag") != "adapter_weights_only"))
        .then(pl.lit("safetensors"))
        .otherwise(pl.lit("unknown"))
    )
    own = own.with_columns(src.alias("params_source"))
    s = pl.col("params_source")
    total = (
        pl.when(s == "reference")
        .then(pl.col("ref_total"))
        .when(s == "safetensors")
        .then(pl.col("st_total"))
        .when(s == "gguf")
        .then(pl.col("gguf_total_"))
        .when(s == "base_model")
        .then(pl.col("inh_total"))
        .when(s == "name")
        .then(pl.col("name_total"))
    )
    # Active: the source's own figure, else the name's (e.g. safetensors total + "A3B" in the name), else
    # total for dense models; MoE without a stated active stays null (flagged).
    src_active = (
        pl.when(s == "reference")
        .then(pl.col("ref_active"))
        .when(s == "base_model")
        .then(pl.col("inh_active"))
        .otherwise(None)
    )
    active = pl.coalesce(src_active, pl.col("name_active"))
    active = pl.when(active.is_null() & ~pl.col("is_moe")).then(total).otherwise(active)
    active = pl.when(total.is_null()).then(None).otherwise(active)

    name_disagrees = (
        pl.col("name_total").is_not_null()
        & s.is_in(["safetensors", "gguf", "base_model"])
        & ~(total.cast(pl.Float64) / pl.col("name_total").cast(pl.Float64)).is_between(0.5, 2.0)
    )
    flags = pl.concat_str(
        [
            pl.when(s == "safetensors").then(pl.col("st_flag")),
            pl.when(pl.col("st_flag") == "adapter_weights_only").then(pl.lit("adapter_weights_only")),
            pl.when(pl.col("ref_total").is_not_null() & ~pl.col("ref_ok")).then(pl.lit("reference_rejected")),
            pl.when((s == "name") & pl.col("base_conflict")).then(pl.lit("base_disagrees_with_name")),
            pl.when((s == "base_model") & is_merge_hop).then(pl.lit("inherited_via_merge")),
            pl.when((s == "base_model") & (pl.col("inh_depth") > 1)).then(pl.lit("inherited_depth>1")),
            pl.when((s == "name") & pl.col("model_id").str.to_lowercase().str.contains(RE_N_X_M)).then(
                pl.lit("name_moe_estimate")
            ),
            pl.when(total.is_not_null() & active.is_null()).then(pl.lit("moe_active_unknown")),
            pl.when(name_disagrees).then(pl.lit("disagrees_with_name")),
        ],
        separator=";",
        ignore_nulls=True,
    )
    flags = pl.when(flags == "").then(None).otherwise(flags)
    resolved = models.select("model_id").join(
        own.select(
            "model_id",
            total.cast(pl.Int64).alias("params_total"),
            active.cast(pl.Int64).alias("params_active"),
            "params_source",
            flags.alias("params_flags"),
        ),
        on="model_id",
        how="left",
        maintain_order="left",
    )

    sources = _sources_long(own)
    return resolved, sources


def _sources_long(own: pl.DataFrame) -> pl.DataFrame:
    """Every source's value, one row per (model, source) that gave one."""

    def part(src: str, tot: str, act: pl.Expr, note: pl.Expr) -> pl.DataFrame:
        return own.filter(pl.col(tot).is_not_null()).select(
            "model_id",
            pl.lit(src).alias("source"),
            pl.col(tot).cast(pl.Int64).alias("params_total"),
            act.cast(pl.Int64).alias("params_active"),
            note.cast(pl.String).alias("note"),
        )

    null_s = pl.lit(None, pl.String)
    parts = [
        part(
            "reference",
            "ref_total",
            pl.col("ref_active"),
            pl.when(pl.col("ref_ok")).then(null_s).otherwise(pl.lit("rejected: far from weight-file counts")),
        ),
        part("safetensors", "st_total", pl.lit(None, pl.Int64), pl.col("st_flag")),
        part("gguf", "gguf_total_", pl.lit(None, pl.Int64), null_s),
        part(
            "base_model",
            "inh_total",
            pl.col("inh_active"),
            pl.concat_str([pl.lit("from "), pl.col("inh_from"), pl.lit(" via "), pl.col("inh_relation")]),
        ),
        part("name", "name_total", pl.col("name_active"), null_s),
    ]
    # active-only names (e.g. "17B-16E") still belong in the record
    parts.append(
        own.filter(pl.col("name_total").is_null() & pl.col("name_active").is_not_null()).select(
            "model_id",
            pl.lit("name").alias("source"),
            pl.lit(None, pl.Int64).alias("params_total"),
            pl.col("name_active").cast(pl.Int64).alias("params_active"),
            pl.lit("active only").alias("note"),
        )
    )
    return pl.concat(parts)
