-- Organisations: the top organisations/users by 30-day downloads within each class, with their share of the
-- class's downloads.
-- Variables: threshold 10e9, scope 'language', unknown 'exclude', tasks [], orgs [], n 15 (per class).
WITH o AS (
    SELECT cls, COALESCE(author, '(none)') AS author, count(*) AS models,
           COALESCE(sum(downloads_30d), 0)::BIGINT AS downloads_30d
    FROM hs_models()
    WHERE cls <> 'unknown'
    GROUP BY ALL
),
r AS (
    SELECT *,
        downloads_30d / NULLIF(sum(downloads_30d) OVER (PARTITION BY cls), 0)  AS share_of_class,
        row_number() OVER (PARTITION BY cls ORDER BY downloads_30d DESC, author) AS rank
    FROM o
)
SELECT cls, rank, author, models, downloads_30d, share_of_class
FROM r
WHERE rank <= COALESCE(getvariable('n'), 15)
ORDER BY cls DESC, rank;
