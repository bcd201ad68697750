-- Trends: models released (created) per month by size band. Models with an unknown creation date (repos
-- older than the Hub's creation tracking) are left out; see created_coverage.
-- Variables: threshold default_threshold(), scope 'language', unknown 'exclude', tasks [], orgs [], since NULL (DATE).
SELECT
    date_trunc('month', created_at)::DATE  AS month,
    size_band,
    count(*)                               AS models,
    COALESCE(sum(downloads_30d), 0)::BIGINT AS downloads_30d
FROM hs_models()
WHERE created_at IS NOT NULL AND NOT created_at_unknown
  AND created_at >= COALESCE(getvariable('since'), DATE '1900-01-01')
GROUP BY ALL
ORDER BY month, size_band;
