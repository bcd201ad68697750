-- How are language-model downloads spread over size bands?
SELECT
    size_band,
    count(*) AS models_count,
    sum(downloads_30d)::BIGINT AS downloads_30d,
    round(100.0 * sum(downloads_30d) / sum(sum(downloads_30d)) OVER (), 2) AS downloads_30d_share_pct
FROM language_models
GROUP BY size_band
ORDER BY min(params_total) NULLS LAST;
