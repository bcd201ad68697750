-- The benchmark's weekly revisions of the hub-stats dump (bench/hubstats.py, issue #11 (b)): the revision of week
-- getvariable('hs_week') (0 = the oldest of getvariable('hs_weeks'); the newest is the resampled file unchanged)
-- from the rows of the view `_hs_base` (the resampled N-row file), dated getvariable('hs_date'). Per model, from
-- seeded hashes of its id (the same model draws the same on every week):
-- - growth: the Hub grows by about half a year (≈1M → 1.5M+ models a year, 2024–25), so getvariable('hs_growth')
--   of the newest population is born per week: a model drawn to be born in week b gets createdAt in that week and
--   is absent before it (a real row created after the week's date is absent too);
-- - deletion: 1% of the models are deleted at a drawn week after their birth and absent from then on;
-- - counters of a = (newest week - this week) weeks before the newest: downloadsAllTime lower by a weeks of its
--   30-day rate, downloads (30 days) drawn within ±30% of the recorded value each week (models with downloads;
--   the real daily series changes 44% of the counters a day, so nearly all within a week), likes 1% lower per
--   week, trendingScore drawn within ±50%; lastModified no later than the week's date. Everything else as recorded.
WITH drawn AS (
    SELECT
        b.*,
        (hash(b.id || ':born') % 1000000) / 1e6 AS u_born,
        (hash(b.id || ':gone') % 1000000) / 1e6 AS u_gone,
        (hash(b.id || ':w' || getvariable('hs_week')) % 1000000) / 1e6 AS u_week,
        getvariable('hs_weeks') - 1 - getvariable('hs_week') AS ago
    FROM _hs_base b
),
dated AS (
    SELECT
        d.*,
        CASE WHEN d.u_born < getvariable('hs_growth') * (getvariable('hs_weeks') - 1)
            THEN getvariable('hs_weeks') - 1 - CAST(floor(d.u_born / getvariable('hs_growth')) AS INTEGER)
            ELSE 0 END AS born_week,
        CASE WHEN d.u_gone < 0.01 THEN CAST(floor(d.u_gone * 100 * getvariable('hs_weeks')) AS INTEGER) END
            AS gone_week
    FROM drawn d
),
aged AS (
    SELECT
        d.*,
        CASE WHEN d.born_week > 0
            THEN getvariable('hs_newest') - to_days(CAST(7 * (getvariable('hs_weeks') - 1 - d.born_week) AS INTEGER))
                 - to_hours(CAST(d.u_born * 1e6 % 144 AS INTEGER))
            ELSE d.createdAt END AS created
    FROM dated d
)
SELECT
    a.* EXCLUDE (u_born, u_gone, u_week, ago, born_week, gone_week, created) REPLACE (
        a.created AS createdAt,
        CASE WHEN a.ago = 0 THEN a.lastModified
            ELSE greatest(a.created, least(a.lastModified, getvariable('hs_date'))) END AS lastModified,
        CASE WHEN a.ago = 0 OR coalesce(a.downloads, 0) = 0 THEN a.downloads
            ELSE CAST(round(a.downloads * (0.7 + 0.6 * a.u_week)) AS BIGINT) END AS downloads,
        CASE WHEN a.downloadsAllTime IS NULL THEN NULL
            ELSE greatest(0, a.downloadsAllTime - a.ago * CAST(round(coalesce(a.downloads, 0) * 7 / 30) AS BIGINT))
        END AS downloadsAllTime,
        CASE WHEN a.likes IS NULL THEN NULL ELSE greatest(0, a.likes - a.ago * a.likes // 100) END AS likes,
        CASE WHEN a.ago = 0 THEN a.trendingScore ELSE a.trendingScore * (0.5 + a.u_week) END AS trendingScore
    )
FROM aged a
WHERE a.born_week <= getvariable('hs_week')
  AND (a.gone_week IS NULL OR a.gone_week <= a.born_week OR getvariable('hs_week') < a.gone_week)
  AND (a.created IS NULL OR a.created <= getvariable('hs_date') + INTERVAL 1 DAY)
