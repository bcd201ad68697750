"""Parameter counts from a repo name (``7B``, ``30B-A3B``, ``8x7B`` ...): pure python and vectorized polars."""

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


def name_key_expr(model_id: str = "model_id") -> pl.Expr:
    """The repo name as the size patterns read it (lower case, separators doubled); see _name_part."""
    return pl.col(model_id).str.split("/").list.last().str.to_lowercase().str.replace_all(r"([^a-z0-9.])", "$1$1")


def _size(groups: pl.Expr, number: str, unit: str) -> pl.Expr:
    """Parameters from a pattern's number and unit groups (null when the pattern did not match)."""
    return groups.struct.field(number).cast(pl.Float64) * _unit_expr(groups.struct.field(unit))


def _first_match(cases: list[tuple[pl.Expr, pl.Expr | None]], otherwise: pl.Expr) -> pl.Expr:
    """The value of the first case whose pattern matched (its key is not null): the order in which
    parse_params_from_name tries the patterns."""
    (key, value), *rest = cases
    chain = pl.when(key.is_not_null()).then(value)
    for key, value in rest:
        chain = chain.when(key.is_not_null()).then(value)
    return chain.otherwise(otherwise)


def name_params_expr(model_id: str = "model_id", key: pl.Expr | None = None) -> tuple[pl.Expr, pl.Expr]:
    """Vectorized parse_params_from_name: (total, active) Int64 expressions over the model id column.

    `key` is name_key_expr() already computed (a column): the patterns read it ~10 times, so callers over
    many rows materialize it once.
    """
    s = name_key_expr(model_id) if key is None else key

    ta = s.str.extract_groups(RE_TOTAL_ACTIVE)
    ta_total, ta_active = _size(ta, "1", "2"), _size(ta, "3", "4")

    nx = s.str.extract_groups(RE_N_X_M)
    n = nx.struct.field("1").cast(pl.Float64)
    msz = _size(nx, "2", "3")
    nx_total = msz * (1 + (n - 1) * MOE_FFN_SHARE)
    nx_active = msz * (1 + (pl.min_horizontal(n, pl.lit(float(MOE_TOP_K))) - 1) * MOE_FFN_SHARE)

    be_active = _size(s.str.extract_groups(RE_B_E), "1", "2")
    ao_active = _size(s.str.extract_groups(RE_ACTIVE_ONLY), "1", "2")
    plain_first = _size(s.str.extract_groups(RE_PLAIN), "1", "2")

    total = _first_match([(ta_total, ta_total), (nx_total, nx_total), (be_active, None)], plain_first)
    active = _first_match(
        [(ta_total, ta_active), (nx_total, nx_active), (be_active, be_active), (plain_first, None)], ao_active
    )
    return total.round().cast(pl.Int64), active.round().cast(pl.Int64)
