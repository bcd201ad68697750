-- Openness: licence tiers of the models created each month, per class (known creation dates only).
-- muted: the month has fewer than min_models models of that class (drawn faded, not read as a share);
-- partial: the month of the data's as-of date (latest snapshot date, else latest creation date) is not over.
-- Variables: threshold default_threshold(), scope 'language', unknown 'exclude', tasks [], orgs [], since NULL (DATE),
--   min_models 20.
WITH g AS (
    SELECT cls, date_trunc('month', created_at)::DATE AS month, COALESCE(license_tier, 'unknown') AS license_tier,
           count(*) AS models
    FROM hs_models()
    WHERE created_at IS NOT NULL AND NOT created_at_unknown AND cls <> 'unknown'
      AND created_at >= COALESCE(getvariable('since'), DATE '1900-01-01')
    GROUP BY 1, 2, 3
),
as_of_date AS (
    SELECT COALESCE((SELECT max(snapshot_date) FROM history_slots WHERE models > 0),  -- latest snapshot date
                    (SELECT max(created_at)::DATE FROM models)) AS as_of
)
SELECT
    g.cls, g.month, g.license_tier, g.models,
    g.models / sum(g.models) OVER (PARTITION BY g.cls, g.month)                              AS share_models,
    sum(g.models) OVER (PARTITION BY g.cls, g.month)::BIGINT                                 AS month_models,
    sum(g.models) OVER (PARTITION BY g.cls, g.month) < COALESCE(getvariable('min_models'), 20) AS muted,
    g.month = date_trunc('month', a.as_of)::DATE
        AND a.as_of < (date_trunc('month', a.as_of) + INTERVAL 1 MONTH - INTERVAL 1 DAY)::DATE AS partial
FROM g CROSS JOIN as_of_date a
ORDER BY g.cls, g.month, g.license_tier;
