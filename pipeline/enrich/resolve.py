"""The resolution chain over many models (see pipeline/enrich/sizing.py for the order, docs/sizing.md for why).

Memory: the row-local rules (JSON dtype decoding, ~10 name regexes, ~40 when/then branches) run over slices of
CHUNK_ROWS models and keep only narrow results; the inheritance walk and the sources frame work on those narrow
columns. Each slice is evaluated lazily, so a sub-expression the rules read many times is computed once.
"""

from __future__ import annotations

import polars as pl

from pipeline.enrich.names import RE_N_X_M, name_key_expr, name_params_expr
from pipeline.enrich.sizing import dtypes_expr, is_moe_expr, packed_kind_expr, safetensors_corrected_expr

CHUNK_ROWS = 100_000  # 1M models: ~230 MB above the input for the row-local rules at 100k, ~350 MB at 250k
RELATION_RANK = {"finetune": 0, "quantized": 1, "adapter": 2, "unknown": 3, "merge": 4}
MAX_DEPTH = 6
# A reference count this far from every other own source is treated as a catalog error (seen: GGUF repos
# whose catalog count is a few hundred thousand for a 35B model).
REFERENCE_MAX_RATIO = 3.0
IMPLAUSIBLE_SHARE = 0.01
# A repo named as a draft/assistant/EAGLE/MTP head whose count is below this share of the size in its name is the
# small drafter for that model (seen: google/gemma-4-31B-it-qat-q4_0-unquantized-assistant, architecture
# gemma4_assistant, 4 layers, 470M): the count is right, the name's size is the target's; flagged "draft_head".
DRAFT_SHARE = 0.05


def lineage_edges(models: pl.DataFrame, lineage: pl.DataFrame | None) -> pl.DataFrame:
    """child_id, parent_id, relation: the lineage frame plus models.base_models, deduplicated."""
    parts = []
    if lineage is not None and lineage.height:
        parts.append(lineage.select("child_id", "parent_id", pl.col("relation").fill_null("unknown")))
    if "base_models" in models.columns:
        parts.append(
            models.filter(pl.col("base_models").list.len() > 0)
            .select(
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
    key = ids.schema["model_id"]  # ids (String) or integer node keys (pipeline/enrich/stream.py)
    schema = {
        "model_id": key,
        "inh_total": pl.Int64,
        "inh_active": pl.Int64,
        "inh_from": key,
        "inh_relation": pl.String,
        "inh_depth": pl.Int32,
    }
    if not found:
        return pl.DataFrame(schema=schema)
    return pl.concat([f.cast(schema) for f in found]).unique("model_id", keep="first")


def node_keys(*ids: pl.Series) -> pl.DataFrame:
    """node (String) -> key (UInt32) for every id in the columns: joins and walks over millions of models
    then carry 4-byte keys instead of strings."""
    nodes = pl.concat([s.cast(pl.String).rename("node") for s in ids]).unique().drop_nulls()
    return nodes.to_frame().with_row_index("key")


def to_keys(frame: pl.DataFrame, keys: pl.DataFrame, column: str) -> pl.DataFrame:
    """frame with the string `column` replaced by its key (same order; every value must be in keys)."""
    mapping = keys.rename({"node": column, "key": "_key"})
    out = frame.join(mapping, on=column, how="left", maintain_order="left")
    return out.with_columns(pl.col("_key").alias(column)).drop("_key")


def chunks(frame: pl.DataFrame, rows: int) -> list[pl.DataFrame]:
    """Contiguous slices of `rows` rows (zero-copy), in order; one empty slice for an empty frame."""
    return [frame.slice(i, rows) for i in range(0, max(frame.height, 1), rows)]


def _reference(reference: pl.DataFrame | None) -> pl.DataFrame | None:
    if reference is None or reference.height == 0:
        return None
    return reference.select(
        "model_id",
        pl.col("params_total").cast(pl.Int64).alias("ref_total"),
        pl.col("params_active").cast(pl.Int64).alias("ref_active"),
    ).unique("model_id")


def own_counts(models: pl.DataFrame, ref: pl.DataFrame | None) -> pl.DataFrame:
    """Row-local: every own source's value for each model (same order), and own_total/own_active, the value a
    child may inherit. Narrow: ids, counts, flags and booleans only."""
    gguf_total = pl.col("gguf_total") if "gguf_total" in models.columns else pl.lit(None, pl.Int64)
    lf = models.lazy().with_columns(dtypes_expr().alias("_dtypes"), name_key_expr().alias("_name_key"))
    st_val, st_flag, st_ok = safetensors_corrected_expr(pl.col("_dtypes"))
    name_total, name_active = name_params_expr(key=pl.col("_name_key"))
    own = lf.select(
        "model_id",
        st_val.alias("st_total"),
        st_flag.alias("st_flag"),
        st_ok.alias("st_ok"),
        pl.when(gguf_total > 0).then(gguf_total).otherwise(None).cast(pl.Int64).alias("gguf_total_"),
        name_total.alias("name_total"),
        name_active.alias("name_active"),
        is_moe_expr().alias("is_moe"),
        packed_kind_expr().alias("is_packed"),
        (pl.col("model_id").str.to_lowercase().str.contains("gguf") | (gguf_total.fill_null(0) > 0)).alias("is_gguf"),
    )
    if ref is not None:
        own = own.join(ref.lazy(), on="model_id", how="left", maintain_order="left")
    else:
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

    return own.drop("is_packed").collect()


def _pool(own: pl.DataFrame, ref: pl.DataFrame | None) -> pl.DataFrame:
    """pid, own_total, own_active: every model a child can inherit from (catalog-only parents included)."""
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
    return pool


def _below_quantized_base(own: pl.DataFrame, parents: pl.DataFrame, pool: pl.DataFrame) -> pl.DataFrame:
    """GGUF repos whose own count is below 1/REFERENCE_MAX_RATIO of the base they quantize (a quantization keeps
    every parameter): the inherited columns of their base. Seen: the catalog's counts for unsloth/gpt-oss-20b-GGUF
    (1.77B of 20.9B) and unsloth/gpt-oss-120b-GGUF (2.37B of 117B): GGUF files of MoE models counted packed."""
    candidates = own.filter(pl.col("is_gguf") & pl.col("own_total").is_not_null()).select("model_id", "own_total")
    bases = _inherit(candidates.select("model_id"), parents, pool)
    return (
        bases.join(candidates, on="model_id", how="inner")
        .filter(
            (pl.col("inh_relation") == "quantized")
            & (pl.col("own_total").cast(pl.Float64) * REFERENCE_MAX_RATIO < pl.col("inh_total").cast(pl.Float64))
        )
        .drop("own_total")
    )


def _draft_named() -> pl.Expr:
    return pl.col("model_id").str.to_lowercase().str.contains(r"(?:^|[-_])(?:assistant|draft|eagle\d*|mtp)(?:$|[-_])")


def _resolved(own: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Row-local again, over own + the inherited columns: the chosen source, total, active and flags, and the
    long sources frame."""
    is_merge_hop = pl.col("inh_relation") == "merge"
    # A base_model link that disagrees with the repo's own name by > 2x is usually a mis-tagged card
    # ("deepseek-r1-distill-7b" tagged with base DeepSeek-R1): the name wins there, flagged.
    inh_vs_name = pl.col("inh_total").cast(pl.Float64) / pl.col("name_total").cast(pl.Float64)
    base_conflict = pl.col("name_total").is_not_null() & ~inh_vs_name.is_between(0.5, 2.0)
    own = own.with_columns(base_conflict.fill_null(False).alias("base_conflict"))
    inh_ok = pl.col("inh_total").is_not_null() & ~pl.col("base_conflict")
    src = (
        pl.when(pl.col("below_base"))
        .then(pl.lit("base_model"))
        .when(pl.col("ref_ok"))
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
            pl.when(pl.col("below_base")).then(pl.lit("below_quantized_base")),
            pl.when(
                _draft_named() & (total.cast(pl.Float64) < pl.col("name_total").cast(pl.Float64) * DRAFT_SHARE)
            ).then(pl.lit("draft_head")),
        ],
        separator=";",
        ignore_nulls=True,
    )
    flags = pl.when(flags == "").then(None).otherwise(flags)
    resolved = own.select(
        "model_id",
        total.cast(pl.Int64).alias("params_total"),
        active.cast(pl.Int64).alias("params_active"),
        "params_source",
        flags.alias("params_flags"),
    )
    return resolved, _sources_long(own)


def resolve_params(
    models: pl.DataFrame,
    lineage: pl.DataFrame | None,
    reference: pl.DataFrame | None,
    chunk_rows: int = CHUNK_ROWS,
    edges: pl.DataFrame | None = None,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(resolved, params_sources). `edges` is lineage_edges(models, lineage) when the caller has it already.

    resolved: model_id, params_total, params_active, params_source, params_flags (one row per model, same
    order as models). params_sources: model_id, source, params_total, params_active, note (every source).
    The answer does not depend on chunk_rows.
    """
    ref = _reference(reference)
    own = pl.concat([own_counts(c, ref) for c in chunks(models, chunk_rows)])
    parents = choose_parent(lineage_edges(models, lineage) if edges is None else edges)
    fixed = _below_quantized_base(own, parents, _pool(own, ref))
    own = own.join(
        fixed.select("model_id", pl.lit(True).alias("below_base"), pl.col("inh_total").alias("_base_total")),
        on="model_id",
        how="left",
        maintain_order="left",
    ).with_columns(
        pl.col("below_base").fill_null(False),
        pl.coalesce("_base_total", "own_total").alias("own_total"),  # their children inherit the base's count
    )
    need = own.filter(pl.col("own_total").is_null()).select("model_id")
    inh = pl.concat([_inherit(need, parents, _pool(own.drop("_base_total"), ref)), fixed])
    del need, parents, fixed
    own = own.drop("_base_total").join(inh, on="model_id", how="left", maintain_order="left")
    del inh
    parts = [_resolved(c) for c in chunks(own, chunk_rows)]
    return pl.concat([r for r, _ in parts]), pl.concat([s for _, s in parts])


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
