-- Openness: gated access ('no' | 'auto' | 'manual') by class; 'not recorded' = the source had no gated field.
-- share_models: of all the class's models; share_recorded: among the class's models whose gating is recorded
-- (NULL for 'not recorded'); recorded_models / class_models: that coverage.
-- Variables: threshold default_threshold(), scope 'language', unknown 'exclude', tasks [], orgs [].
WITH g AS (
    SELECT cls, COALESCE(gated, 'not recorded') AS gated, count(*) AS models,
           COALESCE(sum(downloads_30d), 0)::BIGINT AS downloads_30d
    FROM hs_models()
    WHERE cls <> 'unknown'
    GROUP BY 1, 2
)
SELECT
    cls, gated, models, downloads_30d,
    models / sum(models) OVER (PARTITION BY cls)                                         AS share_models,
    CASE WHEN gated <> 'not recorded'
         THEN models / sum(models) FILTER (WHERE gated <> 'not recorded') OVER (PARTITION BY cls) END AS share_recorded,
    COALESCE(sum(models) FILTER (WHERE gated <> 'not recorded') OVER (PARTITION BY cls), 0)::BIGINT AS recorded_models,
    sum(models) OVER (PARTITION BY cls)::BIGINT                                          AS class_models
FROM g
ORDER BY cls, gated;
