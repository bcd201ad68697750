-- Organisations: concentration of 30-day downloads per class — share of the top 10/50/200 models and top 10
-- organisations, and the Herfindahl-Hirschman index (sum of squared % shares, 0-10,000) over organisations
-- and over models. (Top-N via the max(x, n) aggregate: no sort of all models.)
-- Variables: threshold default_threshold(), scope 'language', unknown 'exclude', tasks [], orgs [].
WITH m AS (
    SELECT cls, COALESCE(author, '(none)') AS author, COALESCE(downloads_30d, 0)::DOUBLE AS d
    FROM hs_models()
    WHERE cls <> 'unknown'
),
model_side AS (
    SELECT cls,
        count(*)                                               AS models,
        sum(d)::BIGINT                                         AS downloads_30d,
        list_sum(list_slice(max(d, 200), 1, 10)) / NULLIF(sum(d), 0)  AS top10_models_share,
        list_sum(list_slice(max(d, 200), 1, 50)) / NULLIF(sum(d), 0)  AS top50_models_share,
        list_sum(max(d, 200)) / NULLIF(sum(d), 0)                     AS top200_models_share,
        COALESCE(sum(d * d) / NULLIF(sum(d) * sum(d), 0) * 10000, 0)  AS hhi_models
    FROM m GROUP BY cls
),
o AS (SELECT cls, author, sum(d) AS d FROM m GROUP BY ALL),
org_side AS (
    SELECT cls,
        count(*)                                                      AS orgs,
        list_sum(max(d, 10)) / NULLIF(sum(d), 0)                      AS top10_orgs_share,
        COALESCE(sum(d * d) / NULLIF(sum(d) * sum(d), 0) * 10000, 0)  AS hhi_orgs
    FROM o GROUP BY cls
)
SELECT * FROM model_side JOIN org_side USING (cls) ORDER BY cls DESC;
