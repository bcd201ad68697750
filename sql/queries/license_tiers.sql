-- Openness: licence tiers by class, by model count and by 30-day downloads (shares within each class).
-- Variables: threshold default_threshold(), scope 'language', unknown 'exclude', tasks [], orgs [].
SELECT
    cls,
    COALESCE(license_tier, 'unknown')                                          AS license_tier,
    count(*)                                                                   AS models,
    COALESCE(sum(downloads_30d), 0)::BIGINT                                    AS downloads_30d,
    count(*) / sum(count(*)) OVER (PARTITION BY cls)                           AS share_models,
    COALESCE(sum(downloads_30d), 0) / NULLIF(sum(sum(downloads_30d)) OVER (PARTITION BY cls), 0) AS share_downloads
FROM hs_models()
WHERE cls <> 'unknown'
GROUP BY 1, 2
ORDER BY cls, license_tier;
