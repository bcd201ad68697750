-- Validation: each published figure (data/published_figures.csv, path in variable `published_figures`) beside ours,
-- both with their denominators. Ours are computed on the whole-Hub snapshot (a full crawl or a hub-stats dump:
-- refresh_runs.is_full, series 'hub') nearest to the figure's data date; without one, over every model of the DB
-- with its latest values (then `basis` says the DB is a selection and the figures are not comparable in level).
-- Downloads are all-time where the basis has them, else the Hub's 30-day count (`downloads_used` says which).
-- Sizes and safetensors/baseModels presence are the models' current ones. Variables: published_figures (path).
WITH pub AS (  -- the file's layout is fixed (comma, double quotes): no dialect sniffing, which cost more than the read
    SELECT * FROM read_csv(getvariable('published_figures'), header = true, auto_detect = false,
        columns = {'figure_id': 'VARCHAR', 'figure': 'VARCHAR', 'published_value': 'DOUBLE', 'unit': 'VARCHAR',
                   'metric': 'VARCHAR', 'downloads': 'VARCHAR', 'data_date': 'DATE',
                   'published_denominator': 'VARCHAR', 'source': 'VARCHAR'})
),
full_snapshots AS (  -- from the slot table: a slot with rows is a snapshot (no decoding of the history)
    SELECT s.run_id, min(s.snapshot_at) AS snapshot_at
    FROM history_slots s JOIN refresh_runs r USING (run_id)
    WHERE r.status = 'ok' AND r.is_full AND s.series = 'hub' AND s.models > 0
    GROUP BY s.run_id
),
basis AS (  -- the nearest whole-Hub snapshot for each data date (NULL run_id: none in the DB)
    SELECT d.data_date, arg_min(f.run_id, abs(date_diff('second', d.data_date::TIMESTAMP, f.snapshot_at))) AS run_id,
           arg_min(f.snapshot_at, abs(date_diff('second', d.data_date::TIMESTAMP, f.snapshot_at))) AS snapshot_at
    FROM (SELECT DISTINCT data_date FROM pub) d LEFT JOIN full_snapshots f ON true
    GROUP BY d.data_date
),
runs AS (SELECT DISTINCT run_id FROM basis),  -- each basis measured once, however many data dates share it
basis_slots AS MATERIALIZED (  -- materialized: the span join below then sees only these slots, not every one
    SELECT b.run_id, d.slot, d.series, max(d.slot) OVER () AS latest_slot
    FROM history_slots d LEFT JOIN runs b ON d.run_id = b.run_id
    WHERE d.series = 'hub'
    QUALIFY b.run_id IS NOT NULL
),
rows AS (  -- the basis run's rows, decoded from the spans that cover its slot (model_snapshots_where's join), with
    -- the models' facts keyed by integers (rollup_model_facts, sql/rollups.sql)
    SELECT b.run_id, m.author_id, m.params_total, m.with_safetensors, m.with_base_models,
           coalesce(s.downloads_30d, 0) AS d30, s.downloads_all_time AS d_all
    FROM basis_slots b
    JOIN history_spans s
        ON s.series = b.series AND b.slot >= s.first_slot AND b.slot <= coalesce(s.last_slot, b.latest_slot)
    JOIN rollup_model_facts m USING (model_key)
    UNION ALL
    SELECT b.run_id, m.author_id, m.params_total, m.with_safetensors, m.with_base_models,
           coalesce(m.downloads_30d, 0), m.downloads_all_time
    FROM runs b CROSS JOIN rollup_model_facts m WHERE b.run_id IS NULL
),
kind AS (  -- all-time downloads when every model of the basis has them, else the 30-day count
    SELECT run_id, count(d_all) = count(*) AND count(*) > 0 AS all_time FROM rows GROUP BY run_id
),
measured AS (
    SELECT r.*, k.all_time, CASE WHEN k.all_time THEN r.d_all ELSE r.d30 END AS d
    FROM rows r JOIN kind k ON k.run_id IS NOT DISTINCT FROM r.run_id
),
totals AS (
    SELECT
        run_id, any_value(all_time) AS all_time,
        count(*) AS models, count(params_total) AS models_sized,
        sum(d)::DOUBLE AS downloads, sum(d) FILTER (params_total IS NOT NULL)::DOUBLE AS downloads_sized,
        sum(d30)::DOUBLE AS downloads_30d, sum(d_all)::DOUBLE AS downloads_all_time,
        sum(d) FILTER (params_total < 1e9)::DOUBLE AS under_1e9,
        sum(d) FILTER (params_total < 5e8)::DOUBLE AS under_5e8,
        sum(d) FILTER (params_total < 2e8)::DOUBLE AS under_2e8,
        sum(d) FILTER (params_total < 1e8)::DOUBLE AS under_1e8,
        count(*) FILTER (with_safetensors) AS with_safetensors,
        count(*) FILTER (with_base_models) AS with_base_models
    FROM measured GROUP BY run_id
),
top_authors AS (  -- the 50 largest per-author sums (max(x, n): the n largest values, no ranking of all)
    SELECT run_id, list_sum(max(d, 50))::DOUBLE AS top50 FROM (
        SELECT run_id, author_id, sum(d) AS d FROM measured GROUP BY run_id, author_id
    ) GROUP BY run_id
),
top_models AS (SELECT run_id, list_sum(max(d, 200))::DOUBLE AS top200 FROM measured GROUP BY run_id),
ours AS (
    SELECT
        p.figure_id,
        CASE p.metric
            WHEN 'models' THEN t.models
            WHEN 'downloads' THEN t.downloads
            WHEN 'sized_under_1e9' THEN t.under_1e9 / nullif(t.downloads_sized, 0)
            WHEN 'sized_under_5e8' THEN t.under_5e8 / nullif(t.downloads_sized, 0)
            WHEN 'sized_under_2e8' THEN t.under_2e8 / nullif(t.downloads_sized, 0)
            WHEN 'sized_under_1e8' THEN t.under_1e8 / nullif(t.downloads_sized, 0)
            WHEN 'all_under_1e9' THEN t.under_1e9 / nullif(t.downloads, 0)
            WHEN 'top50_authors' THEN a.top50 / nullif(t.downloads, 0)
            WHEN 'top200_models' THEN tm.top200 / nullif(t.downloads, 0)
            WHEN 'with_safetensors' THEN t.with_safetensors / nullif(t.models, 0)
            WHEN 'with_base_models' THEN t.with_base_models / nullif(t.models, 0)
            WHEN 'd30_over_all_time' THEN t.downloads_30d / nullif(t.downloads_all_time, 0)
        END AS our_value,
        CASE
            WHEN p.metric LIKE 'sized_%' THEN format('{:,} models of known size', t.models_sized)
            WHEN p.metric = 'd30_over_all_time' THEN format('{:,} models with both counts', t.models)
            ELSE format('{:,} models', t.models)
        END AS our_denominator,
        CASE WHEN p.metric = 'd30_over_all_time' THEN 'both'
             WHEN p.metric IN ('models', 'with_safetensors', 'with_base_models') THEN '-'
             WHEN t.all_time THEN 'all-time' ELSE '30-day' END AS downloads_used
    FROM pub p
    JOIN basis b USING (data_date)
    LEFT JOIN totals t ON t.run_id IS NOT DISTINCT FROM b.run_id
    LEFT JOIN top_authors a ON a.run_id IS NOT DISTINCT FROM b.run_id
    LEFT JOIN top_models tm ON tm.run_id IS NOT DISTINCT FROM b.run_id
)
SELECT
    p.figure_id,
    p.figure,
    p.source,
    p.data_date,
    p.unit,
    p.published_value,
    p.published_denominator,
    o.our_value,
    o.our_denominator,
    o.downloads_used,
    b.snapshot_at AS basis_snapshot_at,                       -- NULL: no whole-Hub snapshot in the DB
    b.run_id IS NOT NULL AS comparable,                       -- a whole-Hub snapshot was the basis
    CASE WHEN b.run_id IS NULL THEN 'every model in the DB (a selection, not the whole Hub)'
         ELSE 'whole-Hub snapshot of ' || strftime(b.snapshot_at, '%Y-%m-%d') END AS basis
FROM pub p
JOIN ours o USING (figure_id)
JOIN basis b USING (data_date)
ORDER BY p.data_date, p.figure_id;
