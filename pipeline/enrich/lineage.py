"""Family roots over the lineage graph (iterative polars joins, bounded depth, cycle-safe)."""

from __future__ import annotations

import polars as pl

from pipeline.enrich.resolve import choose_parent, node_keys, to_keys

MAX_DEPTH = 32  # real trees are < 10 deep (quant of finetune of merge of ...); cycles stop here


def family_roots(lineage: pl.DataFrame, model_ids: pl.Series, max_depth: int = MAX_DEPTH) -> pl.DataFrame:
    """model_id, family_root, depth for every id in model_ids.

    Walks up one chosen parent per child (finetune/quantized before adapter/unknown before merge, then the
    lexicographically smallest id, so the result is deterministic). A model without a parent is its own root
    (depth 0). When a walk meets a cycle, it stops at the last model before it would revisit one, so the
    root is still a member of the family and the result does not depend on max_depth.
    """
    ids = model_ids.cast(pl.String).unique(maintain_order=True).alias("model_id").to_frame()
    if lineage is None or lineage.height == 0:
        return ids.with_columns(pl.col("model_id").alias("family_root"), pl.lit(0, pl.Int32).alias("depth"))
    edges = lineage.select(
        pl.col("child_id").cast(pl.String),
        pl.col("parent_id").cast(pl.String),
        pl.col("relation").cast(pl.String).fill_null("unknown"),
    ).filter(pl.col("child_id") != pl.col("parent_id"))
    parents = choose_parent(edges).select("child_id", "parent_id")
    del edges
    # The walk runs on integer keys: its state (current node, path so far) for millions of models would
    # otherwise be strings and lists of strings.
    keys = node_keys(ids["model_id"], parents["child_id"], parents["parent_id"])
    up = to_keys(to_keys(parents, keys, "child_id"), keys, "parent_id")
    del parents
    start = to_keys(ids.select(pl.col("model_id").alias("start")), keys, "start")
    roots = _walk(start, up, max_depth)
    named = keys.select(pl.col("key").alias("start"), pl.col("node").alias("model_id")).join(
        roots, on="start", how="inner"
    )
    named = named.join(keys.rename({"key": "root", "node": "family_root"}), on="root", how="left")
    return ids.join(named.select("model_id", "family_root", "depth"), on="model_id", how="left", maintain_order="left")


def _walk(start: pl.DataFrame, up: pl.DataFrame, max_depth: int) -> pl.DataFrame:
    """start -> root, depth over integer keys; `up` has one parent_id per child_id."""
    # state: the walker's current node, the path seen so far (for the cycle guard), and depth.
    state = start.with_columns(
        pl.col("start").alias("cur"),
        pl.concat_list(pl.col("start")).alias("seen"),
        pl.lit(0, pl.Int32).alias("depth"),
    )
    done: list[pl.DataFrame] = []
    for _ in range(max_depth):
        step = state.join(up, left_on="cur", right_on="child_id", how="left")
        stop = pl.col("parent_id").is_null() | pl.col("seen").list.contains(pl.col("parent_id"))
        done.append(step.filter(stop).select("start", pl.col("cur").alias("root"), "depth"))
        state = step.filter(~stop).select(
            "start",
            pl.col("parent_id").alias("cur"),
            pl.col("seen").list.concat(pl.concat_list(pl.col("parent_id"))),
            pl.col("depth") + 1,
        )
        if state.height == 0:
            break
    if state.height:
        done.append(state.select("start", pl.col("cur").alias("root"), "depth"))
    return pl.concat(done)
