-- Claim 7, over time: the download-weighted median age of language models (months from creation to the snapshot
-- date) on each month's last snapshot date of one download series, by class. One row per date and class: half of
-- that date's 30-day downloads of the class go to models younger than `median_age_months`.
-- Models of unknown size or unknown creation date (the 2022-03-02 sentinel) are left out; `dated_share` says how
-- much of the class's downloads that date had a creation date.
-- Reads sums precomputed at refresh time from the spans of those dates (rollup_claim_ages, sql/rollups.sql), by
-- size bucket: exact at the threshold grid's edges (the dashboard's slider offers only those).
-- Variables: threshold (default: the configured boundary), series (default 'catalog'). Runs as-is in the duckdb CLI.
WITH p AS (SELECT COALESCE(getvariable('threshold'), default_threshold()) AS t,
                  COALESCE(getvariable('series'), 'catalog') AS series),
a AS (  -- per month's last date, size bucket and age in days: rollup_claim_ages (sql/rollups.sql)
    SELECT r.snapshot_date, model_class(r.bucket_lo, p.t) AS cls, r.age_days, r.models, r.downloads_30d AS dl
    FROM rollup_claim_ages r, p WHERE r.series = p.series
),
w AS (  -- per age: the downloads of the class younger or as old (the ages are whole days)
    SELECT snapshot_date, cls, age_days,
           sum(dl) OVER (PARTITION BY snapshot_date, cls ORDER BY age_days) AS cum,
           sum(dl) OVER (PARTITION BY snapshot_date, cls) AS tot
    FROM (SELECT snapshot_date, cls, age_days, sum(dl) AS dl FROM a WHERE age_days IS NOT NULL
          GROUP BY ALL HAVING sum(dl) > 0)
),
med AS (SELECT snapshot_date, cls, min(age_days) FILTER (WHERE cum >= tot / 2) / 30.4375 AS median_age_months
        FROM w GROUP BY ALL),
n AS (
    SELECT snapshot_date, cls, sum(models)::BIGINT AS models, sum(dl)::BIGINT AS downloads_30d,
           sum(dl) FILTER (WHERE age_days IS NOT NULL) / NULLIF(sum(dl), 0) AS dated_share
    FROM a GROUP BY ALL
)
SELECT n.snapshot_date, n.cls, med.median_age_months, n.models, n.downloads_30d, n.dated_share
FROM n LEFT JOIN med USING (snapshot_date, cls)
ORDER BY n.snapshot_date, n.cls;
