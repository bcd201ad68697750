-- Market size: models and 30-day downloads (latest seen) per size band (config bands, 'unknown' = no count).
-- Variables: threshold default_threshold(), scope 'language', unknown 'exclude', tasks [], orgs [].
SELECT
    size_band,
    count(*)                                     AS models,
    COALESCE(sum(downloads_30d), 0)::BIGINT      AS downloads_30d,
    count(*) / sum(count(*)) OVER ()             AS share_models,
    COALESCE(sum(downloads_30d), 0) / NULLIF(sum(sum(downloads_30d)) OVER (), 0) AS share_downloads
FROM hs_models()
GROUP BY size_band
ORDER BY min(COALESCE(params_total, 9e18));
