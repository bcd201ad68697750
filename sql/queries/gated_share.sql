-- Openness: gated access ('no' | 'auto' | 'manual') by class; 'not recorded' = the source had no gated field.
-- Variables: threshold default_threshold(), scope 'language', unknown 'exclude', tasks [], orgs [].
SELECT
    cls,
    COALESCE(gated, 'not recorded')                            AS gated,
    count(*)                                                   AS models,
    COALESCE(sum(downloads_30d), 0)::BIGINT                    AS downloads_30d,
    count(*) / sum(count(*)) OVER (PARTITION BY cls)           AS share_models
FROM hs_models()
WHERE cls <> 'unknown'
GROUP BY 1, 2
ORDER BY cls, gated;
