-- Which organisations get the most SLM downloads, and how concentrated are they?
SELECT author, models_count, downloads_30d, downloads_30d_share_pct, cumulative_downloads_30d_share_pct
FROM org_concentration
WHERE model_class = 'SLM'
ORDER BY downloads_30d_rank, author
LIMIT 10;
