-- Sizes: distribution of total parameter counts on a log scale (bins of 0.1 in log10), by class.
-- Models without a count are not in it (see overview_kpis.models_unknown).
-- Variables: threshold default_threshold(), scope 'language', unknown 'exclude', tasks [], orgs [].
SELECT
    floor(log10(params_total) * 10) / 10          AS log10_lo,
    floor(log10(params_total) * 10) / 10 + 0.1    AS log10_hi,
    power(10, floor(log10(params_total) * 10) / 10) AS params_lo,
    power(10, floor(log10(params_total) * 10) / 10 + 0.1) AS params_hi,
    cls,
    count(*)                                      AS models,
    COALESCE(sum(downloads_30d), 0)::BIGINT       AS downloads_30d
FROM hs_models()
WHERE params_total > 0
GROUP BY ALL
ORDER BY log10_lo, cls;
