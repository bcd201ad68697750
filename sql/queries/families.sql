-- Lineage: model families (all models sharing a family_root, the top ancestor through model_lineage) ranked by
-- number of derivatives and by rolled-up 30-day downloads (root + derivatives in the filter); the root's class.
-- Only derived models are grouped (most models are their own root), then the root's row is joined.
-- Variables: threshold default_threshold(), scope 'language', unknown 'exclude', tasks [], orgs [], n 20 (per ranking).
WITH d AS (
    SELECT family_root, count(*) AS derivatives, COALESCE(sum(downloads_30d), 0) AS derived_downloads
    FROM hs_models()
    WHERE family_root IS NOT NULL AND model_id <> family_root
    GROUP BY family_root
),
f AS (
    SELECT
        d.family_root, d.derivatives,
        d.derivatives + (r.model_id IS NOT NULL)::INT                       AS members,
        (d.derived_downloads + COALESCE(r.downloads_30d, 0))::BIGINT        AS family_downloads_30d
    FROM d
    LEFT JOIN hs_models() r ON r.model_id = d.family_root
),
ranked AS (
    SELECT f.*, hs_class(root.params_total) AS root_cls, root.params_total AS root_params,
           COALESCE(root.downloads_30d, 0) AS root_downloads_30d,
           row_number() OVER (ORDER BY derivatives DESC, family_downloads_30d DESC, f.family_root) AS rank_derivatives,
           row_number() OVER (ORDER BY family_downloads_30d DESC, derivatives DESC, f.family_root) AS rank_downloads,
           count(*) OVER () AS families
    FROM f LEFT JOIN models root ON root.model_id = f.family_root
)
SELECT family_root, CASE WHEN root_cls IS NULL THEN 'unknown' ELSE root_cls END AS root_cls, root_params,
       derivatives, members, family_downloads_30d, root_downloads_30d, rank_derivatives, rank_downloads, families
FROM ranked
WHERE rank_derivatives <= COALESCE(getvariable('n'), 20) OR rank_downloads <= COALESCE(getvariable('n'), 20)
ORDER BY rank_derivatives;
