"""Repos that are test or CI fixtures, not models anyone uses: flagged (`is_test_repo`) so rankings can leave them out.

Their download counts are real (CI pipelines pull them on every run: trl-internal-testing/tiny-Qwen2ForCausalLM-2.5
had 16.7M 30-day downloads in the bundled snapshot, more than any real model but a handful), so without the flag
they top "most downloaded" lists. The patterns are deliberately narrow: "tiny" alone names real models
(TinyLlama, whisper-tiny, bert-tiny, chronos-bolt-tiny), so it never matches by itself.
"""

from __future__ import annotations

import polars as pl

# (pattern over the lower-cased repo id, why). Rust regex syntax (no look-around).
TEST_REPO_PATTERNS: tuple[tuple[str, str], ...] = (
    (r"^[a-z0-9_.-]*internal-testing/", "library CI orgs: hf-, trl-, peft-, optimum-, optimum-intel-internal-testing"),
    (r"^[a-z0-9_.-]+-testing/", "test orgs: nm-testing, sentence-transformers-testing, explosion-testing, …"),
    (r"^hf-tiny-model-private/", "transformers' tiny-model CI org"),
    (r"^fxmarty/tiny", "optimum maintainer's tiny test checkpoints"),
    (r"(?:^|/|[-_])(?:tiny[-_]random|random[-_]tiny|tiny[-_]dummy|dummy[-_]tiny)(?:$|[-_])", "tiny-random-* fixtures"),
    (
        r"/tiny-?[a-z0-9]*for(?:causallm|conditionalgeneration|sequenceclassification|maskedlm|tokenclassification"
        r"|questionanswering|imageclassification)",
        "tiny-<Arch>For<Task> fixtures named after a transformers class",
    ),
    (r"(?:^|[-_/])unit[-_]test(?:$|[-_])", "unit-test checkpoints (…-0b-unit-test)"),
)


def is_test_repo_expr(model_id: str = "model_id") -> pl.Expr:
    """True when the repo id matches one of TEST_REPO_PATTERNS."""
    pattern = "|".join(f"(?:{p})" for p, _ in TEST_REPO_PATTERNS)
    return pl.col(model_id).str.to_lowercase().str.contains(pattern).fill_null(False)
