"""Raw Hub records → typed rows: dates, the createdAt sentinel, licences and lineage from every place."""

from __future__ import annotations

import math
from datetime import datetime

import pytest

from pipeline.ingest.normalize import CREATED_AT_SENTINEL, Batch, Normalizer
from pipeline.ingest.rawjson import PageError, Unreadable, parse_item, parse_page
from pipeline.ingest.staging import BATCH_RECORDS, stage_pages


def one(record: dict) -> dict:
    batch = Normalizer().batch([record])
    assert batch.rejected.height == 0, batch.rejected.to_dicts()
    return batch.models.row(0, named=True)


def test_dates_and_sentinel() -> None:
    row = one({"id": "a/b", "createdAt": "2024-08-17T11:42:28.000Z", "lastModified": "2024-11-23T06:30:11.000Z"})
    assert row["created_at"] == datetime(2024, 8, 17, 11, 42, 28) and row["created_at_unknown"] is False
    old = one({"id": "a/c", "createdAt": CREATED_AT_SENTINEL})
    assert old["created_at"] is None and old["created_at_unknown"] is True


def test_license_from_card_data_then_tag() -> None:
    assert one({"id": "a/b", "cardData": {"license": "mit"}, "tags": ["license:apache-2.0"]})["license_raw"] == "mit"
    assert one({"id": "a/b", "tags": ["license:apache-2.0"]})["license_raw"] == "apache-2.0"
    assert one({"id": "a/b", "cardData": {"license": ["mit", "apache-2.0"]}})["license_raw"] == "mit,apache-2.0"


def test_lineage_from_base_models_card_data_and_tags() -> None:
    batch = Normalizer().batch(
        [
            {
                "id": "me/q4",
                "baseModels": {"relation": "quantized", "models": [{"id": "org/base"}]},
                "cardData": {"base_model": ["org/base", "org/other"]},
                "tags": ["base_model:org/base", "base_model:adapter:org/third"],
            }
        ]
    )
    edges = sorted(batch.lineage.select("parent_id", "relation", "source").rows())
    assert edges == [
        ("org/base", "quantized", "baseModels"),  # the 'unknown' mentions of org/base are redundant
        ("org/other", "unknown", "cardData"),
        ("org/third", "adapter", "tag"),
    ]
    row = batch.models.row(0, named=True)
    assert row["base_models"] == ["org/base", "org/other", "org/third"] and row["base_relation"] == "quantized"


def test_safetensors_and_gguf_kept() -> None:
    row = one(
        {
            "id": "a/b",
            "safetensors": {"parameters": {"BF16": 10, "I32": 5}, "total": 15},
            "gguf": {"total": 7, "architecture": "llama", "context_length": 4096, "chat_template": "x"},
            "gated": "manual",
            "downloads": 3,
            "downloadsAllTime": 9,
            "trendingScore": 2,
        }
    )
    assert (row["safetensors_total"], row["safetensors_dtypes"]) == (15, '{"BF16":10,"I32":5}')
    assert (row["gguf_total"], row["gguf_architecture"], row["gguf_context_length"]) == (7, "llama", 4096)
    assert (row["gated"], row["downloads_30d"], row["downloads_all_time"], row["trending_score"]) == (
        "manual",
        3,
        9,
        2.0,
    )


def test_duplicates_are_caught_across_batches() -> None:
    normalizer = Normalizer()
    assert normalizer.batch([{"id": "a/b"}]).models.height == 1
    second = normalizer.batch([{"id": "a/b"}])
    assert second.models.height == 0 and "duplicate" in second.rejected["reason"][0]


def test_card_languages_become_tags_like_on_the_hub() -> None:
    assert one({"id": "a/b", "tags": ["en", "x"], "cardData": {"language": ["en", "zh"]}})["tags"] == ["en", "x", "zh"]
    assert one({"id": "a/b", "cardData": {"language": "fr"}})["tags"] == ["fr"]
    assert one({"id": "a/b", "cardData": {"language": {"odd": 1}}})["tags"] == []


# -- one bad record is quarantined with its reason; the batch (and the run) goes on ---------------------------


def rejected_reasons(records: list) -> dict:
    """{model_id: reason} of the quarantined records; the good neighbours must all be kept."""
    good = [{"id": "ok/before"}, {"id": "ok/after", "baseModels": {"relation": "finetune", "models": ["ok/before"]}}]
    batch = Normalizer().batch([good[0], *records, good[1]])
    assert batch.models["model_id"].to_list() == ["ok/before", "ok/after"], batch.rejected.to_dicts()
    assert batch.lineage["child_id"].to_list() == ["ok/after"]
    return dict(zip(batch.rejected["model_id"], batch.rejected["reason"], strict=True))


def page_batch(items: list[bytes]) -> Batch:
    """Items as the Hub's JSON text sends them, through the page parser and the normalizer."""
    body = b"[" + b",".join([b'{"id":"ok/first"}', *items, b'{"id":"ok/last"}']) + b"]"
    batch = Normalizer().batch(parse_page(body))
    assert batch.models["model_id"].to_list() == ["ok/first", "ok/last"], batch.rejected.to_dicts()
    return batch


def test_unhashable_gated_is_quarantined_not_a_crash() -> None:
    assert rejected_reasons([{"id": "bad/g", "gated": ["manual"]}]) == {
        "bad/g": "gated is not false/auto/manual: ['manual']"
    }


def test_gated_zero_is_not_no_only_false_auto_manual_are_valid() -> None:
    reasons = rejected_reasons(
        [{"id": "bad/zero", "gated": 0}, {"id": "bad/one", "gated": 1}, {"id": "bad/f", "gated": 0.0}]
    )
    assert set(reasons) == {"bad/zero", "bad/one", "bad/f"} and all("gated is not" in r for r in reasons.values())
    assert [one({"id": "a/b", "gated": g})["gated"] for g in (False, "auto", "manual")] == ["no", "auto", "manual"]


def test_context_length_past_int64_is_quarantined() -> None:
    reasons = rejected_reasons([{"id": "bad/ctx", "gguf": {"total": 7, "context_length": 2**63}}])
    assert reasons == {"bad/ctx": f"gguf.context_length is absurd: {2**63}"}


def test_dates_that_leave_datetime_range_in_utc_are_quarantined() -> None:
    reasons = rejected_reasons(
        [
            {"id": "bad/late", "lastModified": "9999-12-31T23:59:59-12:00"},
            {"id": "bad/early", "lastModified": "0001-01-01T00:00:00+12:00"},
        ]
    )
    assert set(reasons) == {"bad/late", "bad/early"} and all(
        "lastModified is out of range" in r for r in reasons.values()
    )


def test_lone_surrogate_in_card_data_quarantines_only_its_record() -> None:
    batch = page_batch([b'{"id":"bad/surrogate","cardData":{"license":"mit","note":"x\\ud800y"}}'])
    (row,) = batch.rejected.rows(named=True)
    assert row["model_id"] == "bad/surrogate" and "lone UTF-16 surrogate" in row["reason"]
    assert "\\ud800" in row["raw_json"]  # the raw text as sent, kept whole


def test_a_lone_surrogate_in_a_date_of_a_python_record_quarantines_only_its_record() -> None:
    # parsed JSON cannot hold one (see above); a record handed over as a Python object can, and it used to sink
    # the whole batch when the dates were converted at once
    assert rejected_reasons([{"id": "bad/date", "createdAt": "2024-01-01\udc80", "lastModified": "x\ud800"}]) == {
        "bad/date": "createdAt is not valid Unicode text"
    }


def test_number_beyond_a_double_is_quarantined() -> None:
    batch = page_batch([b'{"id":"bad/inf","downloads":1e400}'])
    assert batch.rejected.select("model_id", "reason").rows() == [
        ("bad/inf", "a number is too large for a double (e.g. 1e400)")
    ]
    assert rejected_reasons([{"id": "bad/py-inf", "downloads": math.inf}]) == {
        "bad/py-inf": "downloads is not a whole number: inf"
    }


def test_card_data_nested_2000_deep_is_quarantined() -> None:
    deep = b'{"id":"bad/deep","cardData":{"x":' + b"[" * 2000 + b"]" * 2000 + b"}}"
    batch = page_batch([deep])
    assert batch.rejected.select("model_id", "reason").rows() == [("bad/deep", "nested deeper than 1,024 levels")]
    assert parse_item(deep) == Unreadable(
        deep.decode(), "nested deeper than 1,024 levels"
    )  # the snapshot reads lines so


def test_a_page_that_is_not_json_still_fails_in_one_line() -> None:
    for body, why in [
        (b'[{"id":"a/b"},{"id":"a/c"', "not valid JSON"),  # cut short
        (b'[{"id":"a/b","downloads":NaN}]', "not valid JSON"),  # JSON has no NaN
        (b"<html>502 Bad Gateway</html>", "not valid JSON"),
        (b'{"error":"x"}', "not a JSON array but dict"),
        (b'[{"id":"a/b"}] trailing', "not valid JSON"),
    ]:
        with pytest.raises(PageError, match=why) as err:
            parse_page(body)
        assert "\n" not in str(err.value)
    assert parse_page(b"[]") == [] and parse_page(b' [ {"id": "a/b"} , "x\\ud800" ] ')[0] == {"id": "a/b"}


def test_ids_follow_the_hub_repo_id_grammar() -> None:
    bad = [
        "..",
        "../x",
        "x/..",
        "a..b/c",
        "-a/b",
        "a-/b",
        "a/.b",
        "a/b.",
        "a/b/c",
        "a/b\n",
        "/b",
        "a/",
        "o" * 97 + "/b",
    ]
    reasons = rejected_reasons([{"id": i} for i in bad])
    assert sorted(reasons) == sorted(bad) and all("not a valid Hub repo id" in r for r in reasons.values())
    # real ids the Hub has (names of up to 250 characters from before its cap; a '.git' suffix) are kept
    real = ["glasses/resnet18.git", "HungChau/" + "distilbert-base-uncased-concept-extraction" * 5, "gpt2", "_a/b_c"]
    assert Normalizer().batch([{"id": i} for i in real]).models["model_id"].to_list() == real


def test_parent_ids_and_relations_are_validated() -> None:
    reasons = rejected_reasons(
        [
            {"id": "bad/svg", "baseModels": {"relation": "finetune", "models": [{"id": "<svg onload=alert(1)>"}]}},
            {"id": "bad/dots", "cardData": {"base_model": "../x"}},
            {"id": "bad/rel", "baseModels": {"relation": "sibling", "models": ["org/base"]}},
            {"id": "bad/tag-rel", "tags": ["base_model:evil:org/base"]},
            {"id": "bad/tag-id", "tags": ["base_model:finetune:org/<b>"]},
        ]
    )
    relations = "finetune, quantized, adapter, merge"
    assert reasons == {
        "bad/svg": "base model id (from baseModels) is not a valid Hub repo id: '<svg onload=alert(1)>'",
        "bad/dots": "base model id (from cardData) is not a valid Hub repo id: '../x'",
        "bad/rel": f"baseModels.relation is not one of {relations}: 'sibling'",
        "bad/tag-rel": f"tag base_model relation is not one of {relations}: 'base_model:evil:org/base'",
        "bad/tag-id": "base model id (from tag) is not a valid Hub repo id: 'org/<b>'",
    }


def test_size_caps_on_strings_and_lists_quarantine_with_a_reason() -> None:
    ten_mb = "t" * (10 << 20)
    reasons = rejected_reasons(
        [
            {"id": "bad/tag", "tags": ["ok", ten_mb]},
            {"id": "bad/langs", "cardData": {"language": ["en"] * 300_000}},  # a 1.2 MB list
            {"id": "bad/lang", "cardData": {"language": ["x" * (1 << 20)]}},  # one 1 MB language
            {"id": "bad/author", "author": "a" * 5000},
            {"id": "bad/many-tags", "tags": [f"t{i}" for i in range(5000)]},
        ]
    )
    assert reasons == {
        "bad/tag": f"tags has a value of {10 << 20:,} characters (more than 1,000)",
        "bad/langs": "cardData.language has 300,000 entries (more than 2,000 tags)",
        "bad/lang": f"tags has a value of {1 << 20:,} characters (more than 1,000)",
        "bad/author": "author has a value of 5,000 characters (more than 1,000)",
        "bad/many-tags": "tags has 5,000 entries (more than 2,000)",
    }
    raw = Normalizer().batch([{"id": "bad/tag", "tags": [ten_mb]}]).rejected["raw_json"][0]
    assert len(raw) < 70_000 and raw.endswith("characters, cut]")  # quarantine does not store 10 MB either


def test_licence_list_of_dicts_is_quarantined_never_stringified() -> None:
    reasons = rejected_reasons([{"id": "bad/lic", "cardData": {"license": [{"a": 1}, 3]}}])
    assert reasons == {"bad/lic": "cardData.license is not a string or a list of strings"}
    assert one({"id": "a/b", "cardData": {"license": ["mit", None, ""]}})["license_raw"] == "mit"


def test_a_value_arrow_cannot_store_quarantines_only_its_row() -> None:
    """A record handed over as Python objects (not parsed by orjson) may hold what no column can store."""
    reasons = rejected_reasons(
        [
            {"id": "bad/surrogate-licence", "cardData": {"license": "mit\ud800"}, "tags": ["base_model:org/p"]},
            {"id": "bad/int", "safetensors": {"parameters": {"BF16": 10}, "total": 10}, "trendingScore": 10**400},
        ]
    )
    assert set(reasons) == {"bad/surrogate-licence", "bad/int"}
    assert reasons["bad/surrogate-licence"].startswith("license_raw cannot be stored: UnicodeEncodeError")
    # a shape no check names still costs only its record (the per-record safety net)
    assert reasons["bad/int"] == "cannot be read (OverflowError: int too large to convert to float)"


def test_stage_pages_normalizes_in_batches_of_20000_and_counts_progress() -> None:
    class Writer:
        def __init__(self) -> None:
            self.batches: list[Batch] = []

        def add_batch(self, batch: Batch) -> None:
            self.batches.append(batch)

    class Bar:
        disable, n = False, 0

        def update(self, k: int) -> None:
            self.n += k

        def set_postfix(self, **_: object) -> None:
            pass

    pages = [[{"id": f"org/m{p}-{i}"} for i in range(1000)] for p in range(45)]
    pages[44].append({"id": "org/m0-0"})  # a duplicate across batches is still caught
    writer, bar = Writer(), Bar()
    assert stage_pages(pages, writer, bar) == 45
    assert [b.models.height for b in writer.batches] == [BATCH_RECORDS, BATCH_RECORDS, 5000]
    assert [b.rejected.height for b in writer.batches] == [0, 0, 1] and bar.n == 45_001


def test_dates_in_every_iso_form_read_as_utc_like_the_hub_format() -> None:
    """The Hub's `…Z` form is parsed per batch; offsets, no fraction or a space are read one by one, the same way."""
    batch = Normalizer().batch(
        [
            {"id": "a/z", "createdAt": "2024-08-17T11:42:28.000Z", "lastModified": "2024-08-17T11:42:28.123456Z"},
            {"id": "a/offset", "createdAt": "2024-08-17T11:42:28Z", "lastModified": "2024-08-17T11:42:28+02:00"},
            {"id": "a/space", "createdAt": "2024-08-17 11:42:28", "lastModified": None},
            {"id": "bad/old", "createdAt": "1999-12-31T23:59:59.000Z"},
            {"id": "bad/type", "lastModified": 1723894948},
        ]
    )
    assert batch.models.select("model_id", "created_at", "last_modified").rows() == [
        ("a/z", datetime(2024, 8, 17, 11, 42, 28), datetime(2024, 8, 17, 11, 42, 28, 123456)),
        ("a/offset", datetime(2024, 8, 17, 11, 42, 28), datetime(2024, 8, 17, 9, 42, 28)),
        ("a/space", datetime(2024, 8, 17, 11, 42, 28), None),
    ]
    assert batch.rejected.select("model_id", "reason").rows() == [
        ("bad/type", "lastModified is not a date string: 1723894948"),
        ("bad/old", "createdAt is out of range: 1999-12-31T23:59:59.000Z"),
    ]


def test_the_fast_path_accepts_only_what_the_checked_path_gives_the_same_row() -> None:
    # Normalizer._plain_row re-reads the record rules for speed; whatever it accepts must be exactly the checked
    # path's row and links, on real records and on each of them with one field made odd
    import gzip
    import random
    from pathlib import Path

    import orjson

    path = Path(__file__).parent / "data" / "hub-records-sample.jsonl.gz"
    with gzip.open(path) as f:
        records = [orjson.loads(line) for line in f][:3000]
    odd_values = [None, "", 0, -1, 1.5, True, [], {}, "x" * 5000, 2**70, "not a date", ["a", 1]]
    rng = random.Random(7)
    cases = list(records)
    for record in records[:1500]:
        key = rng.choice(sorted(record))
        cases.append({**record, key: rng.choice(odd_values)})
    fast_rows = 0
    for record in cases:
        try:
            checked = Normalizer()._checked_row(record)
        except Exception:  # noqa: BLE001 (a record the checked path refuses: the fast path must refuse it too)
            checked = None
        try:
            fast = Normalizer()._plain_row(record)
        except Exception:  # noqa: BLE001 (_row sends these to the checked path)
            fast = None
        if fast is not None:
            fast_rows += 1
            assert fast == checked, record
    assert fast_rows > 2500  # the fast path does carry the usual records
