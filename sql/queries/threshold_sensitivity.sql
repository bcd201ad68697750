-- Market size: SLM share of models and of 30-day downloads as a function of the cut-off, at every edge of
-- rollup_grid (0.1B → 500B), with bounds for unknown-size models. From rollup_models (raw rows when an
-- organisation filter is on).
-- Variables: scope 'language', unknown 'exclude', tasks [], orgs [], threshold default_threshold() (marks the
-- selected row),
-- default_threshold default_threshold() (marks the configured default).
WITH r AS (
    SELECT bucket_lo, models, downloads_30d
    FROM rollup_models
    WHERE NOT hs_by_org() AND hs_keep(is_language_model, pipeline_tag, NULL)
    UNION ALL
    SELECT
        CASE WHEN m.params_total IS NULL THEN NULL ELSE COALESCE(g.threshold, 0) END,
        1, COALESCE(m.downloads_30d, 0)
    FROM hs_models() m
    ASOF LEFT JOIN rollup_grid g ON m.params_total >= g.threshold
    WHERE hs_by_org()
),
c AS (
    SELECT
        g.threshold,
        COALESCE(sum(r.models) FILTER (WHERE r.bucket_lo < g.threshold), 0)          AS slm_models,
        COALESCE(sum(r.models) FILTER (WHERE r.bucket_lo >= g.threshold), 0)         AS llm_models,
        COALESCE(sum(r.models) FILTER (WHERE r.bucket_lo IS NULL), 0)               AS unknown_models,
        COALESCE(sum(r.downloads_30d) FILTER (WHERE r.bucket_lo < g.threshold), 0)   AS slm_downloads,
        COALESCE(sum(r.downloads_30d) FILTER (WHERE r.bucket_lo >= g.threshold), 0)  AS llm_downloads,
        COALESCE(sum(r.downloads_30d) FILTER (WHERE r.bucket_lo IS NULL), 0)        AS unknown_downloads
    FROM rollup_grid g
    CROSS JOIN r
    GROUP BY g.threshold
),
s AS (  -- both shares three ways: unknown sizes counted large (low), counted small (high), left out (known)
    SELECT c.*,
        slm_models / NULLIF(slm_models + llm_models + unknown_models, 0)                    AS share_models_low,
        (slm_models + unknown_models) / NULLIF(slm_models + llm_models + unknown_models, 0) AS share_models_high,
        slm_models / NULLIF(slm_models + llm_models, 0)                                     AS share_models_known,
        slm_downloads / NULLIF(slm_downloads + llm_downloads + unknown_downloads, 0)        AS share_downloads_low,
        (slm_downloads + unknown_downloads) / NULLIF(slm_downloads + llm_downloads + unknown_downloads, 0)
                                                                                            AS share_downloads_high,
        slm_downloads / NULLIF(slm_downloads + llm_downloads, 0)                            AS share_downloads_known,
        COALESCE(getvariable('unknown'), 'exclude')                                         AS unknown
    FROM c
    WHERE slm_models + llm_models + unknown_models > 0
)
SELECT
    threshold, slm_models, llm_models, unknown_models, slm_downloads, llm_downloads, unknown_downloads,
    CASE unknown WHEN 'small' THEN share_models_high WHEN 'large' THEN share_models_low ELSE share_models_known END
        AS share_models,
    share_models_low, share_models_high,
    CASE unknown WHEN 'small' THEN share_downloads_high WHEN 'large' THEN share_downloads_low
        ELSE share_downloads_known END AS share_downloads,
    share_downloads_low, share_downloads_high,
    threshold = COALESCE(getvariable('threshold'), default_threshold())                 AS is_selected,
    threshold = COALESCE(getvariable('default_threshold'), default_threshold())         AS is_default
FROM s
ORDER BY threshold;
