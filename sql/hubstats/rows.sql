-- hub-stats dump → one checked row per record (pipeline/ingest/hubstats.py). Reads the temp view `_hs_raw`
-- (the file's columns projected onto one canonical shape, see hubstats.py `_projection`) and applies the same
-- validation rules as pipeline/ingest/normalize.py (fields.py, checks.py), as column checks, with the same
-- reasons (helpers: sql/hubstats/macros.sql). `reason` is the first problem found, in the order the per-record
-- path looks: the record's fields, then its dates (parsed per batch there), then the size caps of the stored
-- strings (checks.py, in column order). NULL: the row is good; a repeated id is marked by
-- sql/hubstats/duplicates.sql afterwards. Parameters: $now (UTC, the range check's "now"). Result: `_hs_rows`.
-- Limits as in fields.py: 1e12 counts, 1e14 parameters, 1e9 context tokens, 1,000 characters per stored string
-- (each tag), 2,000 tags (card languages included), 200 parents, relations finetune/quantized/adapter/merge.
CREATE OR REPLACE TEMP TABLE _hs_rows AS
WITH parsed AS (
    SELECT
        r.*,
        coalesce(r.tags_raw, []) AS tags_in,
        -- cardData / gguf are JSON strings in the dump; anything but a JSON object is a bad record. Each document
        -- is parsed a fixed, small number of times: validity, type, then every field needed in one extract.
        CASE WHEN json_valid(r.card_raw) THEN json_type(r.card_raw) = 'OBJECT' END AS card_obj,
        CASE WHEN json_valid(r.gguf_raw) THEN json_type(r.gguf_raw) = 'OBJECT' END AS gguf_obj,
        r.created_raw IS NULL OR r.created_raw = TIMESTAMP '2022-03-02 23:29:04' AS created_unknown
    FROM _hs_raw r
),
extracted AS (
    SELECT
        p.*,
        p.card_raw IS NOT NULL AND NOT coalesce(p.card_obj, false) AS card_bad,
        p.gguf_raw IS NOT NULL AND NOT coalesce(p.gguf_obj, false) AS gguf_bad,
        CASE WHEN p.card_obj THEN json_extract(p.card_raw, ['$.license', '$.language', '$.base_model']) END AS cp,
        CASE WHEN p.gguf_obj THEN json_extract(p.gguf_raw, ['$.total', '$.context_length', '$.architecture']) END AS gp
    FROM parsed p
),
fields AS (
    SELECT
        x.*,
        x.cp[1] AS lic, x.cp[2] AS lang, x.cp[3] AS cbm,
        json_type(x.cp[1]) AS lic_type,
        json_type(x.cp[2]) AS lang_type,
        json_type(x.cp[3]) AS cbm_type,
        x.gp[1] AS gg_total, x.gp[2] AS gg_ctx, x.gp[3] AS gg_arch,
        json_type(x.gp[1]) AS gg_total_type,
        json_type(x.gp[2]) AS gg_ctx_type,
        json_type(x.gp[3]) AS gg_arch_type,
        list_filter(x.st_entries, lambda e: e.v < 0 OR e.v > 100000000000000)[1].k AS st_bad_dtype
    FROM extracted x
),
derived AS (
    SELECT
        f.*,
        CASE f.lic_type
            WHEN 'VARCHAR' THEN f.lic ->> '$'
            WHEN 'ARRAY' THEN nullif(array_to_string(
                list_filter(json_extract_string(f.lic, '$[*]'), lambda x: x IS NOT NULL AND x <> ''), ','), '')
        END AS license_card,
        -- a licence list holds strings (or nulls) only
        f.lic_type = 'ARRAY' AND coalesce(list_bool_or(list_transform(json_extract(f.lic, '$[*]'),
            lambda j: json_type(j) NOT IN ('VARCHAR', 'NULL'))), false) AS lic_list_bad,
        CASE f.lang_type WHEN 'ARRAY' THEN json_array_length(f.lang) WHEN 'VARCHAR' THEN 1 ELSE 0 END AS lang_n,
        CASE f.lang_type
            WHEN 'VARCHAR' THEN [f.lang ->> '$']
            WHEN 'ARRAY' THEN list_transform(
                list_filter(json_extract(f.lang, '$[*]'), lambda j: json_type(j) = 'VARCHAR'), lambda j: j ->> '$')
            ELSE []
        END AS langs,
        CASE f.cbm_type
            WHEN 'VARCHAR' THEN [f.cbm ->> '$']
            WHEN 'ARRAY' THEN json_extract_string(f.cbm, '$[*]')
            ELSE []
        END AS card_parents,
        f.cbm_type NOT IN ('VARCHAR', 'NULL', 'ARRAY')
            OR (f.cbm_type = 'ARRAY' AND list_bool_or(list_transform(json_extract(f.cbm, '$[*]'),
                lambda j: json_type(j) <> 'VARCHAR'))) AS cbm_bad
    FROM fields f
),
languaged AS (
    SELECT
        d.*,
        list_filter(d.langs, lambda c: c IS NOT NULL AND c <> '' AND NOT list_contains(d.tags_in, c)) AS lang_extra
    FROM derived d
),
tagged AS (
    SELECT
        l.*,
        -- the Hub tags a model with its card's languages (each once); records with the card but not the tags
        -- get them too
        list_concat(l.tags_in, list_filter(l.lang_extra, lambda c, i: list_position(l.lang_extra, c) = i)) AS tags_out
    FROM languaged l
),
based AS (
    SELECT t.*, list_filter(t.tags_out, lambda g: starts_with(g, 'base_model:') AND length(g) > 11) AS bm_tags
    FROM tagged t
),
edged AS (
    SELECT
        t.*,
        coalesce(nullif(t.bm_relation, ''), 'unknown') AS bm_rel,
        -- `base_model:<relation>:<parent>` with a relation outside the known set (normalize.py `_parents`)
        list_filter(t.bm_tags, lambda g: contains(g[12:], ':')
                AND length(g[12:]) > length(split_part(g[12:], ':', 1)) + 1
                AND split_part(g[12:], ':', 1) NOT IN ('finetune', 'quantized', 'adapter', 'merge'))[1] AS bad_rel_tag,
        list_concat(
            CASE WHEN t.bm_present THEN list_transform(t.bm_ids,
                lambda x: {'parent': x, 'relation': coalesce(nullif(t.bm_relation, ''), 'unknown'), 'source': 'baseModels'})
                ELSE [] END,
            list_transform(t.card_parents, lambda x: {'parent': x, 'relation': 'unknown', 'source': 'cardData'}),
            list_transform(t.bm_tags,
                lambda g: CASE
                    WHEN split_part(g[12:], ':', 1) IN ('finetune', 'quantized', 'adapter', 'merge')
                         AND length(g[12:]) > length(split_part(g[12:], ':', 1)) + 1
                    THEN {'parent': g[13 + length(split_part(g[12:], ':', 1)):],
                          'relation': split_part(g[12:], ':', 1), 'source': 'tag'}
                    ELSE {'parent': g[12:], 'relation': 'unknown', 'source': 'tag'}
                END)
        ) AS candidates
    FROM based t
),
linked AS (
    SELECT
        e.*,
        -- a parent named with a known relation anywhere makes its 'unknown' mentions redundant
        list_filter(e.candidates, lambda c: c.parent <> e.id_raw AND NOT (c.relation = 'unknown'
            AND list_contains(list_transform(list_filter(e.candidates, lambda k: k.relation <> 'unknown'),
                lambda k: k.parent), c.parent))) AS edges
    FROM edged e
),
judged AS (
    SELECT
        l.*,
        list_filter(l.edges, lambda c: NOT hs_valid_id(c.parent))[1] AS bad_parent
    FROM linked l
),
checked AS (
    SELECT
        j.*,
        CASE
            WHEN j.id_raw IS NULL THEN 'missing id'
            WHEN NOT hs_valid_id(j.id_raw) THEN 'id is not a valid Hub repo id: ' || left(hs_repr(j.id_raw), 120)
        END AS id_reason,
        CASE
            WHEN j.card_bad THEN 'cardData is not an object'
            WHEN list_count(j.tags_in) < len(j.tags_in) THEN 'tags is not a list of strings'
            WHEN len(j.tags_in) > 2000 THEN format('tags has {:,} entries (more than 2,000)', len(j.tags_in))
            WHEN j.lang_type IN ('ARRAY', 'VARCHAR') AND j.lang_n + len(j.tags_in) > 2000
                THEN format('cardData.language has {:,} entries (more than 2,000 tags)', j.lang_n)
            WHEN j.st_present AND (NOT j.st_params_present)
                THEN 'safetensors is malformed (needs parameters and total)'
            WHEN j.st_present AND j.st_bad_dtype IS NOT NULL
                THEN 'safetensors.parameters[' || left(hs_repr(j.st_bad_dtype), 20) || '] is not a valid count'
            WHEN j.st_present AND (j.st_total IS NULL OR j.st_total < 0 OR j.st_total > 100000000000000)
                THEN 'safetensors.total is not a valid count'
            WHEN j.gguf_bad THEN 'gguf is not an object'
            WHEN j.gg_total_type NOT IN ('NULL', 'UBIGINT') THEN 'gguf.total is not a valid count'
            WHEN j.gg_ctx_type NOT IN ('NULL', 'UBIGINT', 'DOUBLE')
                OR (j.gg_ctx_type = 'DOUBLE' AND NOT regexp_full_match(j.gg_ctx::VARCHAR, '[0-9]+'))
                THEN 'gguf.context_length is not a valid count'
            WHEN j.gg_total_type = 'UBIGINT' AND (j.gg_total ->> '$')::UBIGINT > 100000000000000
                THEN 'gguf.total is absurd'
            -- a whole number past 2^64 is DOUBLE to DuckDB's JSON reader but still an int to Python
            WHEN j.gg_ctx_type = 'DOUBLE' OR (j.gg_ctx ->> '$')::UBIGINT > 1000000000
                THEN 'gguf.context_length is absurd: ' || (j.gg_ctx::VARCHAR)
            WHEN j.gg_arch_type NOT IN ('NULL', 'VARCHAR') THEN 'gguf.architecture is not a string'
            WHEN j.bm_present AND j.bm_list AND list_count(j.bm_ids) < len(j.bm_ids)
                THEN 'baseModels is not a list of strings'
            WHEN j.bm_present AND j.bm_list AND len(j.bm_ids) > 2000
                THEN format('baseModels has {:,} entries (more than 2,000)', len(j.bm_ids))
            WHEN j.bm_present AND j.bm_rel NOT IN ('unknown', 'finetune', 'quantized', 'adapter', 'merge')
                THEN 'baseModels.relation is not one of finetune, quantized, adapter, merge: '
                     || left(hs_repr(j.bm_relation), 40)
            WHEN j.bm_present AND (j.bm_ids IS NULL OR list_bool_or(list_transform(j.bm_ids, lambda x: x IS NULL)))
                THEN 'baseModels.models has an entry without an id'
            WHEN j.cbm_bad THEN 'cardData.base_model is not a list of strings'
            WHEN len(j.card_parents) > 2000
                THEN format('cardData.base_model has {:,} entries (more than 2,000)', len(j.card_parents))
            WHEN j.bad_rel_tag IS NOT NULL
                THEN 'tag base_model relation is not one of finetune, quantized, adapter, merge: '
                     || left(hs_repr(j.bad_rel_tag), 80)
            WHEN len(j.candidates) > 200 THEN format('{:,} base models (more than 200)', len(j.candidates))
            WHEN j.bad_parent IS NOT NULL
                THEN 'base model id (from ' || j.bad_parent.source || ') is not a valid Hub repo id: '
                     || left(hs_repr(j.bad_parent.parent), 120)
            WHEN j.gated_raw IS NOT NULL AND (j.gated_number OR j.gated_raw NOT IN ('false', 'true', 'auto', 'manual'))
                THEN 'gated is not false/auto/manual: '
                     || left(CASE WHEN j.gated_number THEN j.gated_raw ELSE hs_repr(j.gated_raw) END, 40)
            WHEN NOT isfinite(j.trending_raw) THEN 'trendingScore is not a finite number: ' || j.trending_raw
            WHEN j.lic_type NOT IN ('VARCHAR', 'ARRAY', 'NULL') THEN 'cardData.license is not a string'
            WHEN j.lic_list_bad THEN 'cardData.license is not a string or a list of strings'
            WHEN j.downloads_raw < 0 THEN 'downloads is negative: ' || j.downloads_raw
            WHEN j.downloads_raw > 1000000000000 THEN 'downloads is absurd: ' || j.downloads_raw
            WHEN j.all_time_raw < 0 THEN 'downloadsAllTime is negative: ' || j.all_time_raw
            WHEN j.all_time_raw > 1000000000000 THEN 'downloadsAllTime is absurd: ' || j.all_time_raw
            WHEN j.likes_raw < 0 THEN 'likes is negative: ' || j.likes_raw
            WHEN j.likes_raw > 1000000000000 THEN 'likes is absurd: ' || j.likes_raw
            -- dates: checked after every other field, as the per-record path parses them per batch
            WHEN NOT j.created_unknown AND (year(j.created_raw) < 2000 OR j.created_raw > $now + INTERVAL 2 DAY)
                THEN 'createdAt is out of range: ' || strftime(j.created_raw, '%Y-%m-%dT%H:%M:%S.%gZ')
            WHEN year(j.modified_raw) < 2000 OR j.modified_raw > $now + INTERVAL 2 DAY
                THEN 'lastModified is out of range: ' || strftime(j.modified_raw, '%Y-%m-%dT%H:%M:%S.%gZ')
        END AS other_reason
    FROM judged j
),
valued AS (
    SELECT
        c.*,
        coalesce(nullif(c.author_raw, ''), CASE WHEN contains(c.id_raw, '/') THEN split_part(c.id_raw, '/', 1) END)
            AS author,
        coalesce(nullif(c.license_card, ''),
            list_transform(list_filter(c.tags_out, lambda g: starts_with(g, 'license:')), lambda g: g[9:])[1])
            AS license_raw,
        CASE WHEN c.st_present
            THEN to_json(map_from_entries(list_transform(c.st_entries, lambda e: {'k': e.k, 'v': e.v})))::VARCHAR
        END AS safetensors_dtypes,
        c.gg_arch ->> '$' AS gguf_architecture
    FROM checked c
),
capped AS (
    -- size caps (checks.py): the first stored string column, in the models column order, with a value (or a
    -- list item) over 1,000 characters; the length named is that column's longest in the row. strlen (bytes,
    -- kept with each string) screens first: a value of <= 1,000 bytes has <= 1,000 characters.
    SELECT
        v.*,
        CASE
            WHEN strlen(v.author) > 1000 AND length(v.author) > 1000
                THEN format('author has a value of {:,} characters (more than 1,000)', length(v.author))
            WHEN strlen(v.pipeline_tag_raw) > 1000 AND length(v.pipeline_tag_raw) > 1000 THEN format(
                'pipeline_tag has a value of {:,} characters (more than 1,000)', length(v.pipeline_tag_raw))
            WHEN strlen(v.library_name_raw) > 1000 AND length(v.library_name_raw) > 1000 THEN format(
                'library_name has a value of {:,} characters (more than 1,000)', length(v.library_name_raw))
            WHEN list_max(list_transform(v.tags_out, lambda g: strlen(g))) > 1000
                AND list_max(list_transform(v.tags_out, lambda g: length(g))) > 1000 THEN format(
                'tags has a value of {:,} characters (more than 1,000)',
                list_max(list_transform(v.tags_out, lambda g: length(g))))
            WHEN strlen(v.sha_raw) > 1000 AND length(v.sha_raw) > 1000
                THEN format('sha has a value of {:,} characters (more than 1,000)', length(v.sha_raw))
            WHEN strlen(v.license_raw) > 1000 AND length(v.license_raw) > 1000 THEN format(
                'license_raw has a value of {:,} characters (more than 1,000)', length(v.license_raw))
            WHEN strlen(v.safetensors_dtypes) > 1000 AND length(v.safetensors_dtypes) > 1000 THEN format(
                'safetensors_dtypes has a value of {:,} characters (more than 1,000)', length(v.safetensors_dtypes))
            WHEN strlen(v.gguf_architecture) > 1000 AND length(v.gguf_architecture) > 1000 THEN format(
                'gguf_architecture has a value of {:,} characters (more than 1,000)', length(v.gguf_architecture))
        END AS cap_reason
    FROM valued v
)
SELECT
    c.rn,
    CASE WHEN c.id_reason IS NULL THEN c.id_raw ELSE left(c.id_raw, 300) END AS model_id, -- valid: <= 353
    coalesce(c.id_reason, c.other_reason, c.cap_reason) AS reason, -- duplicates: sql/hubstats/duplicates.sql
    c.id_reason IS NULL AS id_ok,
    c.author,
    CASE WHEN NOT c.created_unknown THEN c.created_raw END AS created_at,
    c.created_unknown AS created_at_unknown,
    c.modified_raw AS last_modified,
    c.pipeline_tag_raw AS pipeline_tag,
    c.library_name_raw AS library_name,
    c.tags_out AS tags,
    CASE c.gated_raw WHEN 'false' THEN 'no' WHEN 'true' THEN 'manual' WHEN 'auto' THEN 'auto'
        WHEN 'manual' THEN 'manual' END AS gated,
    c.private_raw AS private,
    c.disabled_raw AS disabled,
    c.sha_raw AS sha,
    c.license_raw,
    CASE WHEN c.st_present THEN c.st_total END AS safetensors_total,
    c.safetensors_dtypes,
    CASE WHEN c.gg_total_type = 'UBIGINT' AND c.other_reason IS NULL THEN (c.gg_total ->> '$')::BIGINT END AS gguf_total,
    c.gguf_architecture,
    CASE WHEN c.gg_ctx_type = 'UBIGINT' AND c.other_reason IS NULL THEN (c.gg_ctx ->> '$')::BIGINT END
        AS gguf_context_length,
    list_sort(list_distinct(list_transform(c.edges, lambda x: x.parent))) AS base_models,
    CASE
        WHEN len(c.edges) = 0 THEN NULL
        WHEN list_contains(list_transform(c.edges, lambda x: x.relation), 'quantized') THEN 'quantized'
        WHEN list_contains(list_transform(c.edges, lambda x: x.relation), 'adapter') THEN 'adapter'
        WHEN list_contains(list_transform(c.edges, lambda x: x.relation), 'merge') THEN 'merge'
        WHEN list_contains(list_transform(c.edges, lambda x: x.relation), 'finetune') THEN 'finetune'
        ELSE 'unknown'
    END AS base_relation,
    c.edges,
    c.downloads_raw AS downloads_30d,
    c.all_time_raw AS downloads_all_time,
    c.likes_raw AS likes,
    c.trending_raw AS trending_score
FROM capped c;
