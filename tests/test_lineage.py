"""Family roots: walk up, deterministic parent choice, cycles."""

from __future__ import annotations

import polars as pl

from pipeline.enrich.lineage import family_roots


def lin(*edges: tuple[str, str, str]) -> pl.DataFrame:
    return pl.DataFrame(
        [{"child_id": c, "parent_id": p, "relation": r, "source": "tag"} for c, p, r in edges],
        schema={"child_id": pl.String, "parent_id": pl.String, "relation": pl.String, "source": pl.String},
    )


def roots(lineage: pl.DataFrame, ids: list[str]) -> dict[str, tuple[str, int]]:
    out = family_roots(lineage, pl.Series(ids))
    return {r["model_id"]: (r["family_root"], r["depth"]) for r in out.iter_rows(named=True)}


def test_chain_and_self_root() -> None:
    g = lin(
        ("u/llama-ft", "meta-llama/Llama-2-7b-hf", "finetune"),
        ("TheBloke/llama-ft-GGUF", "u/llama-ft", "quantized"),
    )
    r = roots(g, ["TheBloke/llama-ft-GGUF", "u/llama-ft", "meta-llama/Llama-2-7b-hf", "x/alone"])
    assert r["TheBloke/llama-ft-GGUF"] == ("meta-llama/Llama-2-7b-hf", 2)
    assert r["u/llama-ft"] == ("meta-llama/Llama-2-7b-hf", 1)
    assert r["meta-llama/Llama-2-7b-hf"] == ("meta-llama/Llama-2-7b-hf", 0)
    assert r["x/alone"] == ("x/alone", 0)


def test_parent_preference_finetune_over_merge_then_lexicographic() -> None:
    g = lin(
        ("m/merged", "a/zeta", "merge"),
        ("m/merged", "b/beta", "finetune"),
        ("m/two", "c/bbb", "finetune"),
        ("m/two", "c/aaa", "finetune"),
    )
    r = roots(g, ["m/merged", "m/two"])
    assert r["m/merged"][0] == "b/beta"
    assert r["m/two"][0] == "c/aaa"
    # order of input rows does not matter
    r2 = roots(lin(*reversed(list(g.select("child_id", "parent_id", "relation").iter_rows()))), ["m/merged", "m/two"])
    assert r == r2


def test_cycle_is_guarded() -> None:
    g = lin(("a/x", "b/y", "finetune"), ("b/y", "c/z", "finetune"), ("c/z", "a/x", "finetune"))
    r = roots(g, ["a/x", "b/y", "c/z"])
    # each walk stops before revisiting a model: the root is the last new model on its path
    assert r["a/x"] == ("c/z", 2)
    assert r["b/y"] == ("a/x", 2)
    assert r["c/z"] == ("b/y", 2)
    assert roots(lin(("s/self", "s/self", "finetune")), ["s/self"])["s/self"] == ("s/self", 0)


def test_depth_bound() -> None:
    edges = [(f"n/{i}", f"n/{i + 1}", "finetune") for i in range(50)]
    out = family_roots(lin(*edges), pl.Series(["n/0"]), max_depth=10)
    assert out.row(0, named=True)["depth"] == 10


def test_empty_lineage() -> None:
    out = family_roots(lin(), pl.Series(["a/b"]))
    assert out.to_dicts() == [{"model_id": "a/b", "family_root": "a/b", "depth": 0}]


def test_real_gguf_links() -> None:
    # Real links from the catalog's GGUF lineage (catalog-gguf-lineage-2026-10).
    g = lin(("mradermacher/FIM-7B-GGUF", "TIGER-Lab/FIM-7B", "quantized"))
    assert roots(g, ["mradermacher/FIM-7B-GGUF"])["mradermacher/FIM-7B-GGUF"] == ("TIGER-Lab/FIM-7B", 1)
