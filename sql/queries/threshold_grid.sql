-- Dashboard (threshold slider): the SLM/LLM cut-offs the slider offers = the edges of the size buckets in the
-- rollups (sql/rollups.sql), so every slider value gives exact results. No variables.
SELECT threshold FROM rollup_grid ORDER BY threshold;
