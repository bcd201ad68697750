"""Build data/snapshot/ (the bundled offline default) from the real recorded Hub data in ../shared/hub-data/.

    python scripts/build_snapshot.py [--source ../shared/hub-data] [--out data/snapshot]

Nothing is invented: records are re-shaped into the Hub's `/api/models?expand[]=…` item shape, field by field,
as written in data/README.md; fields a source does not have are left out.
"""

from __future__ import annotations

import argparse
import gzip
import json
from datetime import date
from pathlib import Path

import orjson
import polars as pl

REPO = Path(__file__).resolve().parent.parent
CREATED_AT_SENTINEL = "2022-03-02T23:29:04.000Z"
SENTINEL_DATE = date(2022, 3, 2)
CATALOG_SOURCE = "catalog-2026-10 (llmfit 1.1.17 on PyPI, MIT): exact counts read from weight files"
MTEB_SOURCE = "mteb-model-meta-2026-10 (ModelMeta.n_parameters in mteb 2.26.24 on PyPI, Apache-2.0)"
HUBSTATS_SAMPLE = "hubstats-sample-2026-05.parquet"  # copied unchanged; loaded through the hub-stats importer
HUBSTATS_FILE = "hubstats-sample.parquet"
DAILY_SERIES = "hubstats-daily"  # a fixed population: ~4,050 models every day 2026-07-02 → 08-02


def _created_at(value: date | str | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        return value if value.endswith("Z") else value.replace("+00:00", "Z")
    return CREATED_AT_SENTINEL if value == SENTINEL_DATE else f"{value.isoformat()}T00:00:00.000Z"


def catalog_records(src: Path) -> dict[str, dict]:
    records: dict[str, dict] = {}
    for row in pl.read_parquet(src / "catalog-2026-10.parquet").iter_rows(named=True):
        card: dict = {}
        if row["license"]:
            card["license"] = row["license"]
        if row["languages"]:
            card["language"] = row["languages"].split(";")
        record = {
            "id": row["model_id"],
            "author": row["model_id"].split("/")[0] if "/" in row["model_id"] else None,
            "createdAt": _created_at(row["created_date"]),
            "downloads": row["downloads_30d"],
            "likes": row["likes"],
            "pipeline_tag": None if row["pipeline_tag"] in (None, "unknown") else row["pipeline_tag"],
            "cardData": card or None,
        }
        records[row["model_id"]] = {k: v for k, v in record.items() if v is not None}
    return records


def _latest(df: pl.DataFrame, order: str) -> pl.DataFrame:
    return df.sort(order).group_by("model_id").last()


def _list_record(records: dict[str, dict], row: dict) -> dict:
    """The model's record (a new one for a model only a list has) with the list's downloads and likes where
    the record has none."""
    record = records.setdefault(row["model_id"], {"id": row["model_id"]})
    record.setdefault("downloads", row["downloads_30d"])
    record.setdefault("likes", row["likes"])
    return record


def fill_from_daily_lists(records: dict[str, dict], src: Path) -> None:
    """Models of the daily lists join the catalog's; fields the catalog lacks are filled from their latest row."""
    daily = _latest(pl.read_parquet(src / "daily-top-2026-08.parquet"), "fetched_at")
    for row in daily.iter_rows(named=True):
        record = _list_record(records, row)
        for key, value in (
            ("pipeline_tag", row["pipeline_tag"]),
            ("library_name", row["library_name"]),
            ("createdAt", _created_at(row["created_at"])),
        ):
            if value is not None:
                record.setdefault(key, value)
    trending = _latest(pl.read_parquet(src / "trending-top10-2026.parquet"), "snapshot_ts")
    for row in trending.iter_rows(named=True):
        record = _list_record(records, row)
        record.setdefault("author", row["author"])
        if row["pipeline_tag"]:
            record.setdefault("pipeline_tag", row["pipeline_tag"])
        if row["last_modified"]:
            record.setdefault("lastModified", row["last_modified"])
        record.setdefault("gated", {"False": False, "auto": "auto", "manual": "manual"}.get(row["gated"], False))


def _latest_per_day(path: Path, order: str, series: str, cols: list[str]) -> pl.DataFrame:
    """A file fetched several times a day: the last fetch of each (model, date), as one series."""
    latest = pl.read_parquet(path).sort(order).group_by("model_id", "snapshot_date").last()
    return latest.with_columns(series=pl.lit(series)).select(cols)


def history(src: Path) -> pl.DataFrame:
    """Every recorded (model, date) with its real 30-day downloads and likes, one series per source; the
    hub-stats daily series has all-time downloads only (sql/daily_downloads.sql derives downloads per day)."""
    cols = ["model_id", "snapshot_date", "series", "downloads_30d", "likes"]
    catalog = (
        pl.read_parquet(src / "catalog-history-2026.parquet")
        .filter(~pl.col("zero_row"))  # failed scrapes: all-zero rows
        .with_columns(series=pl.lit("catalog"))
        .select(cols)
    )
    daily = _latest_per_day(src / "daily-top-2026-08.parquet", "fetched_at", "daily-top", cols)
    trending = _latest_per_day(src / "trending-top10-2026.parquet", "snapshot_ts", "trending-top10", cols)
    hubstats = (
        pl.read_parquet(src / "hubstats-daily-2026.parquet")
        .with_columns(series=pl.lit(DAILY_SERIES), downloads_30d=pl.lit(None, pl.Int64), likes=pl.lit(None, pl.Int64))
        .select(*cols, "downloads_all_time")
    )
    recorded = pl.concat([catalog, daily, trending]).with_columns(downloads_all_time=pl.lit(None, pl.Int64))
    return pl.concat([recorded, hubstats]).sort("series", "snapshot_date", "model_id")


def reference_params(src: Path) -> pl.DataFrame:
    """Two named sources: the catalog's weight-file counts, then MTEB's curated counts of embedding / encoder /
    reranker models for ids the catalog does not have (the catalog wins where both have a model)."""
    catalog = pl.read_parquet(src / "catalog-2026-10.parquet")
    ref = catalog.filter(pl.col("params_raw") > 0).select(
        "model_id",
        params_total=pl.col("params_raw"),
        params_active=pl.when(pl.col("is_moe")).then(pl.col("active_params_raw")),
        num_experts=pl.col("num_experts").cast(pl.Int32),
        source=pl.lit(CATALOG_SOURCE),
    )
    mteb = (
        pl.read_parquet(src / "mteb-model-meta-2026-10.parquet")
        .filter((pl.col("n_parameters") > 0) & pl.col("model_id").str.contains("/"))
        .unique("model_id", keep="first")
        .select(
            "model_id",
            params_total=pl.col("n_parameters"),
            params_active=pl.lit(None, pl.Int64),
            num_experts=pl.lit(None, pl.Int32),
            source=pl.lit(MTEB_SOURCE),
        )
        .join(ref, on="model_id", how="anti")
    )
    return pl.concat([ref, mteb]).sort("model_id")


def gguf_lineage(src: Path) -> pl.DataFrame:
    links = pl.read_parquet(src / "catalog-gguf-lineage-2026-10.parquet")
    # maintain_order: the first of duplicate links in file order, so every build writes the same bytes
    return links.select(
        child_id="derived_model_id", parent_id="base_model_id", relation=pl.lit("quantized"),
        source=pl.lit("catalog-gguf"),
    ).unique(["child_id", "parent_id"], maintain_order=True)  # fmt: skip


def hubstats_sample(src: Path, snapshot_ids: set[str]) -> pl.DataFrame:
    """The hub-stats sample's rows (unchanged, file order) of models the snapshot does not already have: it is
    loaded after the snapshot and a refresh replaces a model's row, so the catalog's newer (October) metadata
    of the shared models is kept instead of the dump's May values."""
    sample = pl.read_parquet(src / HUBSTATS_SAMPLE)
    return sample.filter(~pl.col("id").is_in(sorted(snapshot_ids)))


def _write(frame: pl.DataFrame, path: Path) -> pl.DataFrame:
    """The frame as Parquet at the strongest zstd level (the files are committed: size matters, speed does not)."""
    frame.write_parquet(path, compression="zstd", compression_level=19)
    return frame


def build(src: Path, out: Path) -> dict:
    out.mkdir(parents=True, exist_ok=True)
    records = catalog_records(src)
    fill_from_daily_lists(records, src)
    with open(out / "models.jsonl.gz", "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as f:
        for model_id in sorted(records):
            f.write(orjson.dumps(records[model_id]) + b"\n")
    hist = _write(history(src), out / "history.parquet")
    ref = _write(reference_params(src), out / "reference_params.parquet")
    lineage = _write(gguf_lineage(src), out / "lineage.parquet")
    sample = _write(hubstats_sample(src, set(records)), out / HUBSTATS_FILE)
    manifest = {
        "name": "hubscope-bundled-snapshot",
        "as_of": str(hist.filter(pl.col("series") == "catalog")["snapshot_date"].max()),
        "selection": "a catalog of Hub language and multimodal models people run locally, plus the models of "
        f"two daily top lists and {sample.height:,} rows of the hub-stats dump; a selection, NOT the whole Hub",
        "models": len(records),
        "history_rows": hist.height,
        "history_series": {s: int(n) for s, n in hist.group_by("series").len().rows()},
        "history_dates": int(hist["snapshot_date"].n_unique()),
        "reference_params": ref.height,
        "reference_sources": {s: int(n) for s, n in ref.group_by("source").len().sort("source").rows()},
        "lineage_links": lineage.height,
        # loaded after the snapshot, through the hub-stats importer (series "hub", a selection: is_full false)
        "hub_stats": HUBSTATS_FILE,
        "hub_stats_rows": sample.height,
        "sources": [
            "catalog-2026-10.parquet", "catalog-history-2026.parquet", "catalog-gguf-lineage-2026-10.parquet",
            "daily-top-2026-08.parquet", "trending-top10-2026.parquet", "hubstats-daily-2026.parquet",
            "mteb-model-meta-2026-10.parquet", HUBSTATS_SAMPLE,
        ],
    }  # fmt: skip
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
    return manifest


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--source", type=Path, default=REPO.parent / "shared" / "hub-data")
    parser.add_argument("--out", type=Path, default=REPO / "data" / "snapshot")
    args = parser.parse_args()
    print(json.dumps(build(args.source, args.out), indent=2))


if __name__ == "__main__":
    main()
