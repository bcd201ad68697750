-- Sizes: parameter-count quartiles and SLM share per library (the 15 libraries with most sized models;
-- '(not recorded)' = the source had no library_name).
-- Variables: threshold default_threshold(), scope 'language', unknown 'exclude', tasks [], orgs [], n 15.
SELECT library, models, q[2] AS median_params, q[1] AS p25_params, q[3] AS p75_params, slm_share, downloads_30d
FROM (
    SELECT COALESCE(library_name, '(not recorded)') AS library, count(*) AS models,
           quantile_cont(params_total, [0.25, 0.5, 0.75])::DOUBLE[] AS q,  -- the three quartiles in one pass
           count(*) FILTER (WHERE cls = 'SLM') / count(*) AS slm_share, COALESCE(sum(downloads_30d), 0)::BIGINT AS downloads_30d
    FROM hs_models() WHERE params_total IS NOT NULL GROUP BY ALL
)
ORDER BY models DESC, library
LIMIT COALESCE(getvariable('n'), 15);
