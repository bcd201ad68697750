-- Claim 7, over time: the download-weighted median age of language models (months from creation to the snapshot
-- date) on each month's last snapshot date of one download series, by class. One row per date and class: half of
-- that date's 30-day downloads of the class go to models younger than `median_age_months`.
-- Models of unknown size or unknown creation date (the 2022-03-02 sentinel) are left out; `dated_share` says how
-- much of the class's downloads that date had a creation date.
-- Reads only the spans covering the chosen dates (like the model_snapshots_on macro), not the whole history.
-- Variables: threshold (default: the configured boundary), series (default 'catalog'). Runs as-is in the duckdb CLI.
WITH p AS (SELECT COALESCE(getvariable('threshold'), default_threshold()) AS t,
                  COALESCE(getvariable('series'), 'catalog') AS series),
picked AS (  -- each month's last snapshot date of the series, and that date's last slot
    SELECT h.series, max(h.snapshot_date) AS snapshot_date
    FROM history_slots h, p WHERE h.series = p.series GROUP BY h.series, date_trunc('month', h.snapshot_date)
),
d AS (
    SELECT h.series, h.snapshot_date, max(h.slot) AS slot
    FROM history_slots h JOIN picked USING (series, snapshot_date) GROUP BY ALL
),
lm AS (  -- the sized language models by history key (rollup_model_facts, sql/rollups.sql: joined to the spans on
    -- the integer key, before the dates)
    SELECT x.model_key, model_class(x.params_total, p.t) AS cls, x.created_at
    FROM rollup_model_facts x, p
    WHERE x.model_key IS NOT NULL AND x.is_language_model AND x.params_total IS NOT NULL
),
m AS (
    SELECT d.snapshot_date, lm.cls, COALESCE(s.downloads_30d, 0) AS dl,
           date_diff('day', lm.created_at, d.snapshot_date) / 30.4375 AS age_months
    FROM d
    JOIN (SELECT series, max(slot) AS latest_slot FROM history_slots GROUP BY series) l USING (series)
    JOIN history_spans s
        ON s.series = d.series AND d.slot >= s.first_slot AND d.slot <= coalesce(s.last_slot, l.latest_slot)
    JOIN lm USING (model_key)
),
w AS (
    SELECT snapshot_date, cls, age_months,
           sum(dl) OVER (PARTITION BY snapshot_date, cls ORDER BY age_months ROWS UNBOUNDED PRECEDING) AS cum,
           sum(dl) OVER (PARTITION BY snapshot_date, cls) AS tot
    FROM m WHERE age_months IS NOT NULL AND dl > 0
),
med AS (SELECT snapshot_date, cls, min(age_months) FILTER (WHERE cum >= tot / 2) AS median_age_months
        FROM w GROUP BY ALL),
n AS (
    SELECT snapshot_date, cls, count(*) AS models, sum(dl)::BIGINT AS downloads_30d,
           sum(dl) FILTER (WHERE age_months IS NOT NULL) / NULLIF(sum(dl), 0) AS dated_share
    FROM m GROUP BY ALL
)
SELECT n.snapshot_date, n.cls, med.median_age_months, n.models, n.downloads_30d, n.dated_share
FROM n LEFT JOIN med USING (snapshot_date, cls)
ORDER BY n.snapshot_date, n.cls;
