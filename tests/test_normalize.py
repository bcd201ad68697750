"""Raw Hub records → typed rows: dates, the createdAt sentinel, licences and lineage from every place."""

from __future__ import annotations

from datetime import datetime

from pipeline.ingest.normalize import CREATED_AT_SENTINEL, Normalizer


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
