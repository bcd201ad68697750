-- Organisations: concentration of 30-day downloads per class — share of the top 10/50/200 models and top 10
-- organisations, and the Herfindahl-Hirschman index (sum of squared % shares, 0-10,000) over organisations
-- and over models.
-- Variables: threshold 10e9, scope 'language', unknown 'exclude', tasks [], orgs [].
WITH m AS (
    SELECT cls, model_id, COALESCE(author, '(none)') AS author, COALESCE(downloads_30d, 0) AS d
    FROM hs_models()
    WHERE cls <> 'unknown'
),
mr AS (
    SELECT *, row_number() OVER (PARTITION BY cls ORDER BY d DESC, model_id) AS rank,
           d / NULLIF(sum(d) OVER (PARTITION BY cls), 0) AS s
    FROM m
),
o AS (SELECT cls, author, sum(d) AS d FROM m GROUP BY ALL),
orr AS (
    SELECT *, row_number() OVER (PARTITION BY cls ORDER BY d DESC, author) AS rank,
           d / NULLIF(sum(d) OVER (PARTITION BY cls), 0) AS s
    FROM o
),
model_side AS (
    SELECT cls,
        count(*)                                      AS models,
        sum(d)::BIGINT                                AS downloads_30d,
        COALESCE(sum(s) FILTER (WHERE rank <= 10), 0)  AS top10_models_share,
        COALESCE(sum(s) FILTER (WHERE rank <= 50), 0)  AS top50_models_share,
        COALESCE(sum(s) FILTER (WHERE rank <= 200), 0) AS top200_models_share,
        COALESCE(sum((100 * s) ^ 2), 0)                AS hhi_models
    FROM mr GROUP BY cls
),
org_side AS (
    SELECT cls,
        count(*)                                      AS orgs,
        COALESCE(sum(s) FILTER (WHERE rank <= 10), 0)  AS top10_orgs_share,
        COALESCE(sum((100 * s) ^ 2), 0)                AS hhi_orgs
    FROM orr GROUP BY cls
)
SELECT * FROM model_side JOIN org_side USING (cls) ORDER BY cls DESC;
