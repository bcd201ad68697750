-- HubScope dashboard rollups and query macros: precomputed at refresh time so the dashboard answers at Hub scale
-- (3M models x 30 snapshots = 90M snapshot rows) without scanning the snapshot table on every click.
--
-- Run by the pipeline inside the NEW DB file after every refresh, right after sql/macros.sql and sql/views.sql:
--     duckdb data/hub.duckdb < sql/rollups.sql
-- Idempotent: every statement is CREATE OR REPLACE over the schema tables. If a DB lacks these objects (older
-- pipeline), the dashboard builds them in its in-memory session instead (dashboard/data.py), from this same file.
--
-- Exactness: the threshold slider only offers the edges of rollup_grid, and every model is stored in the bucket
-- [bucket_lo, next edge). For an edge t, `params_total < t` <=> `bucket_lo < t`, so SLM/LLM totals computed from
-- the rollups equal those computed from the raw rows. (A threshold between two edges would be approximate.)
--
-- Query-time settings (read with getvariable(); the dashboard sets them per cursor with SET VARIABLE; in the CLI
-- leave them unset to get the defaults, or e.g. `SET VARIABLE threshold = 3e9;`):
--   threshold  DOUBLE     SLM/LLM cut-off in parameters, SLM when params_total < threshold   default default_threshold()
--   scope      VARCHAR    'language' (is_language_model) | 'all'                               default 'language'
--   unknown    VARCHAR    models without a parameter count: 'small' | 'large' | 'exclude'      default 'exclude'
--   tasks      VARCHAR[]  keep only these pipeline tags (empty/NULL = all)                     default all
--   orgs       VARCHAR[]  keep only these authors (empty/NULL = all)                           default all

-- The threshold grid: log steps from 0.1B to 500B (1, 1.5, 2, 3, 4, 5, 7 per decade), containing the config's
-- default (10B) and every size-band edge (1B, 3B, 10B, 30B, 100B).
CREATE OR REPLACE TABLE rollup_grid AS
SELECT threshold::DOUBLE AS threshold
FROM (VALUES
    (0.1e9), (0.15e9), (0.2e9), (0.3e9), (0.4e9), (0.5e9), (0.7e9),
    (1e9),   (1.5e9),  (2e9),   (3e9),   (4e9),   (5e9),   (7e9),
    (10e9),  (15e9),   (20e9),  (30e9),  (40e9),  (50e9),  (70e9),
    (100e9), (150e9),  (200e9), (300e9), (400e9), (500e9)
) AS g(threshold)
ORDER BY threshold;

-- Class of a parameter count under the current settings: 'SLM' | 'LLM' | 'unknown' (unknown size, excluded).
CREATE OR REPLACE MACRO hs_class(p) AS
    CASE
        WHEN p IS NULL THEN
            CASE COALESCE(getvariable('unknown'), 'exclude') WHEN 'small' THEN 'SLM' WHEN 'large' THEN 'LLM'
            ELSE 'unknown' END
        WHEN p < COALESCE(getvariable('threshold'), default_threshold()) THEN 'SLM'
        ELSE 'LLM'
    END;

-- Whether a model passes the scope/task/organisation filters (author NULL = not filtered by organisation).
CREATE OR REPLACE MACRO hs_keep(is_lm, task, org) AS
    (COALESCE(getvariable('scope'), 'language') = 'all' OR is_lm)
    AND (len(COALESCE(getvariable('tasks'), []::VARCHAR[])) = 0 OR list_contains(getvariable('tasks'), task))
    AND (len(COALESCE(getvariable('orgs'), []::VARCHAR[])) = 0 OR list_contains(getvariable('orgs'), org));

-- The models that pass the filters, with their class `cls` under the current settings.
CREATE OR REPLACE MACRO hs_models() AS TABLE
    SELECT m.*, hs_class(m.params_total) AS cls
    FROM models m
    WHERE hs_keep(m.is_language_model, m.pipeline_tag, m.author);

-- Whether the organisation filter is on (then queries read the raw tables: the rollups have no author column).
CREATE OR REPLACE MACRO hs_by_org() AS len(COALESCE(getvariable('orgs'), []::VARCHAR[])) > 0;

-- Latest counts per (scope, task, size bucket): KPIs, the threshold-sensitivity curve, tag coverage (a per-tag
-- test over every model's tags is too slow per click at Hub scale).
CREATE OR REPLACE TABLE rollup_models AS
SELECT
    m.is_language_model,
    m.pipeline_tag,
    CASE WHEN m.params_total IS NULL THEN NULL ELSE COALESCE(g.threshold, 0) END AS bucket_lo,
    count(*)                        AS models,
    COALESCE(sum(m.downloads_30d), 0)::BIGINT AS downloads_30d,
    count(m.downloads_30d)          AS models_with_downloads,
    count(*) FILTER (WHERE len(m.tags) > 0)                                           AS models_with_tags,
    count(*) FILTER (WHERE len(list_filter(m.tags, lambda x: is_language_tag(x))) > 0) AS models_with_language
FROM models m
ASOF LEFT JOIN rollup_grid g ON m.params_total >= g.threshold
GROUP BY ALL;

-- Downloads per (series, snapshot date, scope, task, size bucket): the share-over-time charts.
CREATE OR REPLACE TABLE rollup_snapshots AS
WITH sized AS (
    SELECT
        m.model_id, m.is_language_model, m.pipeline_tag,
        CASE WHEN m.params_total IS NULL THEN NULL ELSE COALESCE(g.threshold, 0) END AS bucket_lo
    FROM models m
    ASOF LEFT JOIN rollup_grid g ON m.params_total >= g.threshold
)
SELECT
    s.series,
    s.snapshot_date,
    z.is_language_model,
    z.pipeline_tag,
    z.bucket_lo,
    count(*)                                  AS models,
    COALESCE(sum(s.downloads_30d), 0)::BIGINT AS downloads_30d
FROM model_snapshots s
JOIN sized z USING (model_id)
GROUP BY ALL;

-- Per download series: dates, models and rows (the sidebar's series picker; a distinct count over 90M rows is
-- too slow per click).
CREATE OR REPLACE TABLE rollup_series AS
SELECT
    series,
    count(DISTINCT snapshot_date)  AS dates,
    min(snapshot_date)             AS first_date,
    max(snapshot_date)             AS last_date,
    count(DISTINCT model_id)       AS models,
    count(*)                       AS rows
FROM model_snapshots
GROUP BY series;

-- Tags per (kind, tag, scope, task, size bucket): Domain focus. kind = 'language' for the Hub's language tags
-- (ISO 639-1 codes and 'multilingual'), 'domain' for other free-form tags (no 'prefix:' tags, not the model's own
-- task or library). A model lists a tag once, so counts are models.
CREATE OR REPLACE TABLE rollup_tags AS
WITH t AS (
    SELECT
        m.is_language_model, m.pipeline_tag, m.library_name, m.params_total, m.downloads_30d,
        lower(u.tag) AS tag
    FROM models m, unnest(m.tags) AS u(tag)
),
k AS (
    SELECT *,
        CASE
            WHEN is_language_tag(tag) THEN 'language'
            WHEN contains(tag, ':') OR tag IS NOT DISTINCT FROM pipeline_tag OR tag IS NOT DISTINCT FROM library_name
                THEN NULL
            ELSE 'domain'
        END AS kind
    FROM t
)
SELECT
    k.kind, k.tag, k.is_language_model, k.pipeline_tag,
    CASE WHEN k.params_total IS NULL THEN NULL ELSE COALESCE(g.threshold, 0) END AS bucket_lo,
    count(*)                                   AS models,
    COALESCE(sum(k.downloads_30d), 0)::BIGINT  AS downloads_30d
FROM k
ASOF LEFT JOIN rollup_grid g ON k.params_total >= g.threshold
WHERE k.kind IS NOT NULL
GROUP BY ALL;

-- Movers (Trends): per series, the default comparison span — from the earliest date that recorded at least half as
-- many models as the latest date (else the previous date) to the latest date — and every model's downloads on
-- both dates, with the attributes the filters need, so the default view never joins the snapshot table.
CREATE OR REPLACE TABLE rollup_movers_span AS
WITH per_date AS (SELECT series, snapshot_date, count(*) AS n FROM model_snapshots GROUP BY ALL),
latest AS (SELECT series, arg_max(snapshot_date, snapshot_date) AS date_to, arg_max(n, snapshot_date) AS n_to
           FROM per_date GROUP BY series)
SELECT
    l.series,
    COALESCE(min(p.snapshot_date) FILTER (WHERE p.n >= 0.5 * l.n_to), max(p.snapshot_date)) AS date_from,
    l.date_to
FROM latest l
JOIN per_date p ON p.series = l.series AND p.snapshot_date < l.date_to
GROUP BY l.series, l.date_to;

CREATE OR REPLACE TABLE rollup_movers AS
SELECT
    sp.series, sp.date_from, sp.date_to,
    m.model_id, m.author, m.is_language_model, m.pipeline_tag, m.params_total,
    a.downloads_30d                    AS downloads_from,
    z.downloads_30d                    AS downloads_to,
    z.downloads_30d - a.downloads_30d  AS change
FROM rollup_movers_span sp
JOIN model_snapshots a ON a.series = sp.series AND a.snapshot_date = sp.date_from
JOIN model_snapshots z ON z.series = sp.series AND z.snapshot_date = sp.date_to AND z.model_id = a.model_id
JOIN models m ON m.model_id = a.model_id
WHERE a.downloads_30d IS NOT NULL AND z.downloads_30d IS NOT NULL;

-- What was built, for the Data page.
CREATE OR REPLACE TABLE rollup_info AS
SELECT
    now()::TIMESTAMP                         AS built_at,
    (SELECT count(*) FROM rollup_grid)      AS grid_edges,
    (SELECT count(*) FROM rollup_models)    AS rollup_models_rows,
    (SELECT count(*) FROM rollup_snapshots) AS rollup_snapshots_rows,
    (SELECT count(*) FROM rollup_tags)      AS rollup_tags_rows,
    (SELECT count(*) FROM rollup_movers)    AS rollup_movers_rows;
