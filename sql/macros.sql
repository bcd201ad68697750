-- HubScope query-time macros. Runnable as-is:  duckdb data/hub.duckdb < sql/macros.sql
-- They mirror config/hubscope.toml ([classes] rule, [bands]); SQL cannot read TOML, so tests/test_classify.py
-- checks that these macros and pipeline/classify.py agree over many values. Change both together.

-- SLM when params_total < threshold (strictly below: exactly 10e9 is an LLM); NULL without a count.
-- Same rule as pipeline.classify.model_class. The dashboard's slider passes its own threshold.
CREATE OR REPLACE MACRO model_class(params_total, threshold) AS
    CASE
        WHEN params_total IS NULL THEN NULL
        WHEN params_total < threshold THEN 'SLM'
        ELSE 'LLM'
    END;

-- The SLM/LLM boundary of config/hubscope.toml ([classes] slm_max_params) that the last refresh used, as the
-- pipeline records it in schema_info; 10e9 for a file that has no record of it.
CREATE OR REPLACE MACRO default_threshold() AS
    (SELECT COALESCE(max(TRY_CAST(value AS DOUBLE)), 10e9) FROM schema_info WHERE key = 'slm_max_params');

-- Same, at the configured default boundary.
CREATE OR REPLACE MACRO model_class_default(params_total) AS model_class(params_total, default_threshold());

-- Size band; bounds are exclusive upper bounds, as [bands] in config/hubscope.toml.
CREATE OR REPLACE MACRO size_band(params_total) AS
    CASE
        WHEN params_total IS NULL THEN 'unknown'
        WHEN params_total < 1e9 THEN '<1B'
        WHEN params_total < 3e9 THEN '1-3B'
        WHEN params_total < 10e9 THEN '3-10B'
        WHEN params_total < 30e9 THEN '10-30B'
        WHEN params_total < 100e9 THEN '30-100B'
        ELSE '>100B'
    END;

-- Band order for sorting charts (unknown last).
CREATE OR REPLACE MACRO size_band_order(band) AS
    CASE band
        WHEN '<1B' THEN 1 WHEN '1-3B' THEN 2 WHEN '3-10B' THEN 3 WHEN '10-30B' THEN 4
        WHEN '30-100B' THEN 5 WHEN '>100B' THEN 6 ELSE 99
    END;

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
