-- Sizes: parameter-count quartiles and SLM share per library (the 15 libraries with most sized models;
-- '(not recorded)' = the source had no library_name).
-- Variables: threshold default_threshold(), scope 'language', unknown 'exclude', tasks [], orgs [], n 15.
SELECT
    COALESCE(library_name, '(not recorded)')         AS library,
    count(*)                                         AS models,
    median(params_total)::DOUBLE                     AS median_params,
    quantile_cont(params_total, 0.25)::DOUBLE        AS p25_params,
    quantile_cont(params_total, 0.75)::DOUBLE        AS p75_params,
    count(*) FILTER (WHERE cls = 'SLM') / count(*)   AS slm_share,
    COALESCE(sum(downloads_30d), 0)::BIGINT          AS downloads_30d
FROM hs_models()
WHERE params_total IS NOT NULL
GROUP BY ALL
ORDER BY models DESC, library
LIMIT COALESCE(getvariable('n'), 15);
