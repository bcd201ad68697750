-- How many language models fit (4-bit weights) on a phone, a laptop, one GPU, or need several GPUs?
SELECT
    coalesce(device_class, 'unknown size') AS device_class,
    count(*) AS models_count,
    round(max(memory_4bit_gb), 1) AS largest_memory_4bit_gb,
    sum(downloads_30d)::BIGINT AS downloads_30d
FROM language_models
GROUP BY ALL
ORDER BY max(memory_4bit_gb) NULLS LAST;
