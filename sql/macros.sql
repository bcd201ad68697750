-- HubScope query-time macros. Runnable as-is:  duckdb data/hub.duckdb < sql/macros.sql
-- The rules come from the tables each refresh writes before this file runs (pipeline.enrich.Config.tables(),
-- from config/hubscope.toml): config_classes, config_bands, config_devices, config_language_tags. Nothing here
-- repeats a threshold, a band edge or a label, so a DB built with another config answers with that config.
-- The CREATE TABLE IF NOT EXISTS lines only let this file run on a DB that has no such tables (built before
-- they existed); there the rule macros answer NULL rather than guess.
CREATE TABLE IF NOT EXISTS config_classes (slm_max_params DOUBLE);
CREATE TABLE IF NOT EXISTS config_bands (band_order INTEGER, label VARCHAR, upper DOUBLE);
CREATE TABLE IF NOT EXISTS config_devices (device_order INTEGER, label VARCHAR, max_gb_4bit DOUBLE);
CREATE TABLE IF NOT EXISTS config_language_tags (pipeline_tag VARCHAR);

-- SLM when params_total < threshold (strictly below: exactly the threshold is an LLM); NULL without a count.
-- The dashboard's slider passes its own threshold.
CREATE OR REPLACE MACRO model_class(params_total, threshold) AS
    CASE
        WHEN params_total IS NULL THEN NULL
        WHEN params_total < threshold THEN 'SLM'
        ELSE 'LLM'
    END;

-- The SLM/LLM boundary the last refresh used ([classes] slm_max_params). A file refreshed before config_classes
-- existed recorded the same value in schema_info.
CREATE OR REPLACE MACRO default_threshold() AS
    COALESCE(
        (SELECT max(slm_max_params) FROM config_classes),
        (SELECT max(TRY_CAST(value AS DOUBLE)) FROM schema_info WHERE key = 'slm_max_params')
    );

-- Same, at the configured default boundary.
CREATE OR REPLACE MACRO model_class_default(params_total) AS model_class(params_total, default_threshold());

-- Size band ([bands]): the first band (by band_order) whose exclusive upper bound the count is below, i.e. band
-- number 1 + (bounds <= count); the last band's bound is inf. 'unknown' without a count. The ladders are read
-- once per query as lists (uncorrelated subqueries): a correlated lookup per row is ~35x slower at 3M rows.
CREATE OR REPLACE MACRO size_band(params_total) AS
    CASE
        WHEN params_total IS NULL THEN 'unknown'
        ELSE (SELECT list(label ORDER BY band_order) FROM config_bands)[
            least(
                1 + len(list_filter((SELECT list(upper ORDER BY band_order) FROM config_bands), lambda u: u <= params_total)),
                (SELECT count(*) FROM config_bands)
            )::INTEGER]
    END;

-- Band order for sorting charts ('unknown' and unlisted labels last).
CREATE OR REPLACE MACRO size_band_order(band) AS
    COALESCE(list_position((SELECT list(label ORDER BY band_order) FROM config_bands), band), 99);

-- Smallest device class ([devices]) whose memory holds the weights (GB, bound inclusive): class number
-- 1 + (bounds < gb); NULL without a size.
CREATE OR REPLACE MACRO device_class(gb_4bit) AS
    CASE
        WHEN gb_4bit IS NULL THEN NULL
        ELSE (SELECT list(label ORDER BY device_order) FROM config_devices)[
            least(
                1 + len(list_filter((SELECT list(max_gb_4bit ORDER BY device_order) FROM config_devices), lambda u: u < gb_4bit)),
                (SELECT count(*) FROM config_devices)
            )::INTEGER]
    END;

-- TRUE for a pipeline tag in the language-model scope ([scope] language_model_tags).
CREATE OR REPLACE MACRO in_language_scope(pipeline_tag) AS
    COALESCE(pipeline_tag IN (SELECT c.pipeline_tag FROM config_language_tags c), false);

-- Label NULLs for display, e.g. unknown_as(model_class(params_total, 10e9), 'unknown').
CREATE OR REPLACE MACRO unknown_as(x, label) AS coalesce(CAST(x AS VARCHAR), label);

-- TRUE for a tag that names a language the way the Hub tags them: an ISO 639-1 code ('en', 'zh', …) or
-- 'multilingual'. A plain two-letter pattern would also take library tags such as 'tf'.
CREATE OR REPLACE MACRO is_language_tag(tag) AS lower(tag) IN (
    'multilingual',
    'aa', 'ab', 'ae', 'af', 'ak', 'am', 'an', 'ar', 'as', 'av', 'ay', 'az', 'ba', 'be', 'bg', 'bh', 'bi', 'bm',
    'bn', 'bo', 'br', 'bs', 'ca', 'ce', 'ch', 'co', 'cr', 'cs', 'cu', 'cv', 'cy', 'da', 'de', 'dv', 'dz', 'ee',
    'el', 'en', 'eo', 'es', 'et', 'eu', 'fa', 'ff', 'fi', 'fj', 'fo', 'fr', 'fy', 'ga', 'gd', 'gl', 'gn', 'gu',
    'gv', 'ha', 'he', 'hi', 'ho', 'hr', 'ht', 'hu', 'hy', 'hz', 'ia', 'id', 'ie', 'ig', 'ii', 'ik', 'io', 'is',
    'it', 'iu', 'ja', 'jv', 'ka', 'kg', 'ki', 'kj', 'kk', 'kl', 'km', 'kn', 'ko', 'kr', 'ks', 'ku', 'kv', 'kw',
    'ky', 'la', 'lb', 'lg', 'li', 'ln', 'lo', 'lt', 'lu', 'lv', 'mg', 'mh', 'mi', 'mk', 'ml', 'mn', 'mr', 'ms',
    'mt', 'my', 'na', 'nb', 'nd', 'ne', 'ng', 'nl', 'nn', 'no', 'nr', 'nv', 'ny', 'oc', 'oj', 'om', 'or', 'os',
    'pa', 'pi', 'pl', 'ps', 'pt', 'qu', 'rm', 'rn', 'ro', 'ru', 'rw', 'sa', 'sc', 'sd', 'se', 'sg', 'si', 'sk',
    'sl', 'sm', 'sn', 'so', 'sq', 'sr', 'ss', 'st', 'su', 'sv', 'sw', 'ta', 'te', 'tg', 'th', 'ti', 'tk', 'tl',
    'tn', 'to', 'tr', 'ts', 'tt', 'tw', 'ty', 'ug', 'uk', 'ur', 'uz', 've', 'vi', 'vo', 'wa', 'wo', 'xh', 'yi',
    'yo', 'za', 'zh', 'zu'
);
