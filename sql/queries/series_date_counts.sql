-- Trends (movers date picker): the snapshot dates of one series inside the window, with how many models each
-- date recorded (from rollup_snapshots). Variables: series 'catalog', since NULL (DATE).
SELECT snapshot_date, sum(models)::BIGINT AS models, sum(downloads_30d)::BIGINT AS downloads_30d
FROM rollup_snapshots
WHERE series = COALESCE(getvariable('series'), 'catalog')
  AND snapshot_date >= COALESCE(getvariable('since'), DATE '1900-01-01')
GROUP BY snapshot_date
ORDER BY snapshot_date;
