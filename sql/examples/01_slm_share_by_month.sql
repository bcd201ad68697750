-- What share of language-model downloads goes to small language models (SLM, < 10B parameters), month by month?
-- The catalog series, its last snapshot in each month (30-day downloads are a rolling window, so the month's
-- last snapshot counts that month's downloads).
SELECT
    strftime(snapshot_date, '%Y-%m') AS month,
    arg_max(snapshot_date, snapshot_at) AS snapshot_date,
    arg_max(slm_downloads_30d, snapshot_at) AS slm_downloads_30d,
    arg_max(llm_downloads_30d, snapshot_at) AS llm_downloads_30d,
    arg_max(slm_downloads_30d_share_pct, snapshot_at) AS slm_downloads_30d_share_pct
FROM slm_share_by_snapshot
WHERE series = 'catalog'
GROUP BY month
ORDER BY month;
