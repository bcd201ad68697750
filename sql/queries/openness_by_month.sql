-- Openness: licence tiers of models created each month (known creation dates only).
-- Variables: threshold default_threshold(), scope 'language', unknown 'exclude', tasks [], orgs [], since NULL (DATE).
WITH g AS (
    SELECT date_trunc('month', created_at)::DATE AS month, COALESCE(license_tier, 'unknown') AS license_tier,
           count(*) AS models
    FROM hs_models()
    WHERE created_at IS NOT NULL AND NOT created_at_unknown
      AND created_at >= COALESCE(getvariable('since'), DATE '1900-01-01')
    GROUP BY 1, 2
)
SELECT month, license_tier, models, models / sum(models) OVER (PARTITION BY month) AS share_models
FROM g
ORDER BY month, license_tier;
