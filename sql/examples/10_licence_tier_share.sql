-- What share of all downloads goes to permissive, copyleft, restricted and non-commercial licences?
SELECT
    license_tier,
    sum(models_count) ::BIGINT AS models_count,
    sum(downloads_30d)::BIGINT AS downloads_30d,
    round(sum(downloads_30d_share_pct), 2) AS downloads_30d_share_pct
FROM license_tiers
GROUP BY license_tier
ORDER BY downloads_30d DESC;
