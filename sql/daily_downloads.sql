-- Downloads per day, derived from consecutive cumulative counts (`downloads_all_time`) of a model in one
-- download series. Run at every refresh after sql/views.sql and before sql/rollups.sql; idempotent.
-- One value per model, series and day: when a day has several snapshots (a crawl and a hub-stats dump of the
-- same day, both in the `hub` series), the latest of that day counts. Between two such days the change of the
-- counter is spread evenly over the days between them. The Hub's counter sometimes goes DOWN (real data: 54 of
-- 138,700 daily differences of the hub-stats series); such a step counts as 0 downloads and is flagged.

-- One row per model, series and snapshot date after the first: downloads per day since the previous date.
CREATE OR REPLACE VIEW daily_downloads AS
WITH per_day AS (
    SELECT
        model_id,
        series,
        snapshot_date,
        arg_max(downloads_all_time, snapshot_at) AS downloads_all_time
    FROM model_snapshots
    WHERE downloads_all_time IS NOT NULL
    GROUP BY ALL
),
paired AS (
    SELECT
        *,
        lag(snapshot_date) OVER w AS previous_date,
        lag(downloads_all_time) OVER w AS previous_all_time
    FROM per_day
    WINDOW w AS (PARTITION BY model_id, series ORDER BY snapshot_date)
)
SELECT
    model_id,
    series,
    snapshot_date,                                              -- the later of the two dates
    previous_date,                                              -- the model's previous date in this series
    date_diff('day', previous_date, snapshot_date) AS days,     -- days between the two (1 for consecutive days)
    previous_all_time,                                          -- cumulative downloads at previous_date
    downloads_all_time,                                         -- cumulative downloads at snapshot_date
    downloads_all_time - previous_all_time AS all_time_change,  -- the raw change of the counter (may be negative)
    greatest(downloads_all_time - previous_all_time, 0)
        / date_diff('day', previous_date, snapshot_date) AS downloads_per_day,  -- change / days; 0 when it went down
    downloads_all_time < previous_all_time AS counter_went_down -- TRUE: the Hub's counter decreased (clamped to 0)
FROM paired
WHERE previous_date IS NOT NULL;

-- Per series and date: the models with a daily figure and their summed downloads per day.
CREATE OR REPLACE VIEW daily_downloads_by_date AS
SELECT
    series,
    snapshot_date,
    count(*) AS models,                                         -- models with a figure on this date
    sum(downloads_per_day) AS downloads_per_day,                -- summed downloads per day of those models
    count(*) FILTER (counter_went_down) AS counters_went_down   -- of those, models whose counter decreased
FROM daily_downloads
GROUP BY ALL;
