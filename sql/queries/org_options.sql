-- Dashboard (sidebar organisation filter): the 300 organisations/users with most 30-day downloads.
-- No variables.
SELECT author, sum(downloads_30d) AS downloads_30d, count(*) AS models
FROM models
WHERE author IS NOT NULL
GROUP BY author
ORDER BY downloads_30d DESC NULLS LAST, author
LIMIT 300;
