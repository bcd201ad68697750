-- Trends / Openness captions: how many of the filtered models have a known creation date.
-- Variables: threshold default_threshold(), scope 'language', unknown 'exclude', tasks [], orgs [], since NULL (DATE).
SELECT
    count(*)                                                                      AS models,
    count(*) FILTER (WHERE created_at IS NOT NULL AND NOT created_at_unknown)     AS models_dated,
    count(*) FILTER (WHERE created_at IS NOT NULL AND NOT created_at_unknown
                     AND created_at >= COALESCE(getvariable('since'), DATE '1900-01-01')) AS models_in_window,
    count(*) FILTER (WHERE created_at IS NOT NULL AND NOT created_at_unknown AND params_total IS NOT NULL
                     AND created_at >= COALESCE(getvariable('since'), DATE '1900-01-01')) AS models_in_window_sized
FROM hs_models();
