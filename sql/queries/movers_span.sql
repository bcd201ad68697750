-- Trends: the default comparison span of one series (precomputed in rollup_movers_span).
-- Variables: series 'catalog'.
SELECT series, date_from, date_to
FROM rollup_movers_span
WHERE series = COALESCE(getvariable('series'), 'catalog');
