-- Sizes: deployability — the smallest device class that holds the 4-bit weights (config [devices]), by class.
-- Variables: threshold default_threshold(), scope 'language', unknown 'exclude', tasks [], orgs [].
SELECT
    COALESCE(device_class, 'unknown size')   AS device_class,
    cls,
    count(*)                                 AS models,
    COALESCE(sum(downloads_30d), 0)::BIGINT  AS downloads_30d,
    min(memory_4bit_gb)                      AS min_gb_4bit,
    max(memory_4bit_gb)                      AS max_gb_4bit
FROM hs_models()
GROUP BY ALL
ORDER BY min(COALESCE(memory_4bit_gb, 1e18)), cls;
