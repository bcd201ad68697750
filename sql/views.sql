-- Views stored inside the DB file for people who query it directly: `duckdb data/hub.duckdb -c "from language_models"`.
-- Recreated by every refresh (after sql/macros.sql). docs/schema.md is generated from these comments:
-- the comment block above each view describes it, a trailing comment describes a column (a column without
-- one inherits the description of the same column in sql/schema.sql). Units are in the column names:
-- *_30d = over the Hub's rolling 30 days, *_billions = parameters / 1e9, *_gb = 1e9 bytes, *_pct = percent.
-- Classes come from the stored columns (computed by pipeline/classify.py at the configured default threshold),
-- so these views never disagree with the dashboard.

-- Language models (generative text out, see config/hubscope.toml [scope]), one row per model, latest metadata,
-- with their SLM/LLM class at the default threshold (SLM = fewer than 10B total parameters).
CREATE OR REPLACE VIEW language_models AS
SELECT
    model_id,
    author,
    pipeline_tag,
    library_name,
    model_class,                                         -- 'SLM' | 'LLM' at the default threshold (10B total parameters); NULL when size unknown
    size_band,
    params_total,
    params_active,
    round(params_total / 1e9, 3) AS params_total_billions,    -- params_total in billions
    round(params_active / 1e9, 3) AS params_active_billions,  -- params_active in billions (mixture-of-experts: active per token)
    params_source,
    memory_bf16_gb,
    memory_4bit_gb,
    device_class,
    license,
    license_tier,
    gated,
    family_root,
    downloads_30d,
    downloads_all_time,
    likes,                                               -- the Hub's like count, latest seen
    created_at,
    last_modified,
    last_seen_at
FROM models
WHERE is_language_model;

-- The latest snapshot of each model in each download series (one row per model and series).
CREATE OR REPLACE VIEW latest_downloads AS
SELECT
    model_id,
    series,
    snapshot_at AS latest_snapshot_at,                   -- UTC time of the model's latest snapshot in this series
    snapshot_date AS latest_snapshot_date,               -- date of that snapshot
    downloads_30d,                                       -- the Hub's rolling 30-day downloads at that snapshot
    downloads_all_time,                                  -- cumulative downloads at that snapshot (NULL when not fetched)
    likes,                                               -- likes at that snapshot
    trending_score                                       -- the Hub's trending score at that snapshot
FROM model_snapshots
QUALIFY row_number() OVER (PARTITION BY model_id, series ORDER BY snapshot_at DESC) = 1;

-- Every snapshot row joined with the model's class, size band and licence tier: the download time series
-- ready to group by any of them.
CREATE OR REPLACE VIEW download_history AS
SELECT
    s.series,
    s.snapshot_date,                                     -- UTC date of the snapshot
    s.snapshot_at,
    s.model_id,
    m.author,
    m.is_language_model,
    m.model_class,
    m.size_band,
    round(m.params_total / 1e9, 3) AS params_total_billions,  -- the model's resolved total parameters, in billions
    m.license_tier,
    s.downloads_30d,                                     -- the Hub's rolling 30-day downloads at this snapshot
    s.downloads_all_time,                                -- cumulative downloads at this snapshot (NULL when not fetched)
    s.likes,                                             -- likes at this snapshot
    s.trending_score                                     -- the Hub's trending score at this snapshot
FROM model_snapshots s
LEFT JOIN models m USING (model_id);

-- Licences grouped by tier: how many models use each licence and their share of 30-day downloads.
CREATE OR REPLACE VIEW license_tiers AS
SELECT
    license_tier,
    coalesce(license, '(none)') AS license,              -- normalized licence id; '(none)' when the model declares none
    count(*) AS models_count,                            -- models with this licence
    count(*) FILTER (WHERE is_language_model) AS language_models_count,  -- of which language models
    coalesce(sum(downloads_30d), 0)::BIGINT AS downloads_30d,  -- summed latest 30-day downloads of those models
    round(100.0 * coalesce(sum(downloads_30d), 0) / nullif(sum(sum(downloads_30d)) OVER (), 0), 3)
        AS downloads_30d_share_pct                       -- percent of all models' 30-day downloads
FROM models
GROUP BY ALL
ORDER BY license_tier, downloads_30d DESC, license;

-- Parent links with the family root (top ancestor) of both ends and the child's size and downloads.
CREATE OR REPLACE VIEW lineage_with_roots AS
SELECT
    l.child_id,                                          -- the derived model
    l.parent_id,                                         -- the model it derives from (by relation)
    l.relation,
    l.source,
    coalesce(c.family_root, p.family_root, l.parent_id) AS family_root,  -- top ancestor of the child (the parent's, or the parent itself, when the child is not in models)
    p.family_root AS parent_family_root,                 -- top ancestor of the parent; NULL when the parent is not in models
    c.model_class AS child_model_class,                  -- the child's 'SLM' | 'LLM' class; NULL when unknown
    round(c.params_total / 1e9, 3) AS child_params_total_billions,  -- the child's total parameters, in billions
    c.downloads_30d AS child_downloads_30d               -- the child's latest 30-day downloads
FROM model_lineage l
LEFT JOIN models c ON c.model_id = l.child_id
LEFT JOIN models p ON p.model_id = l.parent_id;

-- Who the language-model downloads go to: 30-day downloads per author within each class ('all' = every
-- language model), the author's share and rank in that class, and the running share of the authors ranked above.
CREATE OR REPLACE VIEW org_concentration AS
WITH per_author AS (
    SELECT
        coalesce(model_class, 'unknown') AS model_class,
        author,
        count(*) AS models_count,
        coalesce(sum(downloads_30d), 0)::BIGINT AS downloads_30d
    FROM models
    WHERE is_language_model
    GROUP BY ALL
    UNION ALL
    SELECT 'all', author, count(*), coalesce(sum(downloads_30d), 0)::BIGINT
    FROM models
    WHERE is_language_model
    GROUP BY ALL
)
SELECT
    model_class,                                         -- 'SLM' | 'LLM' | 'unknown' (size unknown) | 'all'
    author,
    models_count,                                        -- the author's language models in this class
    downloads_30d,                                       -- their summed latest 30-day downloads
    round(100.0 * downloads_30d / nullif(sum(downloads_30d) OVER w_class, 0), 3)
        AS downloads_30d_share_pct,                      -- percent of the class's 30-day downloads
    rank() OVER (PARTITION BY model_class ORDER BY downloads_30d DESC) AS downloads_30d_rank,  -- 1 = most downloaded author in the class
    round(100.0 * sum(downloads_30d) OVER (PARTITION BY model_class ORDER BY downloads_30d DESC, author
        ROWS UNBOUNDED PRECEDING) / nullif(sum(downloads_30d) OVER w_class, 0), 3)
        AS cumulative_downloads_30d_share_pct            -- share held by this author and every author ranked above
FROM per_author
WINDOW w_class AS (PARTITION BY model_class)
ORDER BY model_class, downloads_30d_rank, author;

-- SLM share of language-model downloads at each snapshot of each series. Series cover different model
-- selections (the 'hub' series = refreshes; others = recorded lists): compare within a series, not across.
CREATE OR REPLACE VIEW slm_share_by_snapshot AS
SELECT
    s.series,
    s.snapshot_date,                                     -- UTC date of the snapshot
    s.snapshot_at,
    count(*) AS language_models_count,                   -- language models in this snapshot
    count(*) FILTER (WHERE m.model_class = 'SLM') AS slm_models_count,  -- of which SLM
    count(*) FILTER (WHERE m.model_class = 'LLM') AS llm_models_count,  -- of which LLM
    coalesce(sum(s.downloads_30d) FILTER (WHERE m.model_class = 'SLM'), 0)::BIGINT AS slm_downloads_30d,  -- 30-day downloads of SLMs
    coalesce(sum(s.downloads_30d) FILTER (WHERE m.model_class = 'LLM'), 0)::BIGINT AS llm_downloads_30d,  -- 30-day downloads of LLMs
    coalesce(sum(s.downloads_30d) FILTER (WHERE m.model_class IS NULL), 0)::BIGINT AS unknown_size_downloads_30d,  -- 30-day downloads of language models of unknown size
    round(100.0 * coalesce(sum(s.downloads_30d) FILTER (WHERE m.model_class = 'SLM'), 0)
        / nullif(coalesce(sum(s.downloads_30d) FILTER (WHERE m.model_class IS NOT NULL), 0), 0), 3)
        AS slm_downloads_30d_share_pct                   -- SLM percent of the downloads of language models of known size
FROM model_snapshots s
JOIN models m USING (model_id)
WHERE m.is_language_model
GROUP BY ALL
ORDER BY series, snapshot_at;
