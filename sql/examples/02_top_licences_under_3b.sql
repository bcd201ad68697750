-- Which licences are most common among language models under 3B parameters?
SELECT
    coalesce(license, '(none)') AS license,
    license_tier,
    count(*) AS models_count,
    sum(downloads_30d) ::BIGINT AS downloads_30d
FROM language_models
WHERE params_total < 3e9
GROUP BY ALL
ORDER BY models_count DESC, license
LIMIT 10;
