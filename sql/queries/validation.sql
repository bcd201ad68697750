-- Validation: each published figure (data/published_figures.csv) beside ours, both with their denominators.
-- Computed at refresh time into rollup_validation (sql/rollups.sql says how and on which snapshot).
SELECT * FROM rollup_validation ORDER BY data_date, figure_id
