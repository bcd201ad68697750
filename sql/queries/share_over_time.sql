-- Overview headline + Market size: SLM vs LLM per snapshot date of ONE download series (series never mixed),
-- with each date's denominator. From rollup_snapshots (exact for thresholds on rollup_grid); with an
-- organisation filter, from the raw model_snapshots rows instead (the rollups have no author column).
-- Variables: threshold 10e9, scope 'language', unknown 'exclude', tasks [], orgs [], series 'catalog',
-- since NULL (DATE: first snapshot date to include).
-- Rows: one per (snapshot_date, cls in SLM/LLM). Models of unknown size that are excluded are counted in
-- unknown_models/unknown_downloads and left out of the shares.
WITH r AS (
    SELECT snapshot_date, hs_class(bucket_lo) AS cls, models, downloads_30d
    FROM rollup_snapshots
    WHERE NOT hs_by_org()
      AND series = COALESCE(getvariable('series'), 'catalog')
      AND snapshot_date >= COALESCE(getvariable('since'), DATE '1900-01-01')
      AND hs_keep(is_language_model, pipeline_tag, NULL)
    UNION ALL
    SELECT s.snapshot_date, m.cls, 1 AS models, COALESCE(s.downloads_30d, 0) AS downloads_30d
    FROM model_snapshots s
    JOIN hs_models() m USING (model_id)
    WHERE hs_by_org()
      AND s.series = COALESCE(getvariable('series'), 'catalog')
      AND s.snapshot_date >= COALESCE(getvariable('since'), DATE '1900-01-01')
),
agg AS (
    SELECT snapshot_date, cls, sum(models)::BIGINT AS models, sum(downloads_30d)::BIGINT AS downloads
    FROM r GROUP BY ALL
)
SELECT * REPLACE (date_downloads::BIGINT AS date_downloads, unknown_downloads::BIGINT AS unknown_downloads)
    RENAME (downloads AS downloads_30d)
FROM hs_shares('agg')  -- sql/rollups.sql
ORDER BY snapshot_date, cls;
