-- hub-stats dump → one checked row per record (pipeline/ingest/hubstats.py). Reads the temp view `_hs_raw`
-- (the file's columns projected onto one canonical shape, see hubstats.py `_projection`) and applies the same
-- validation rules as pipeline/ingest/normalize.py, as column checks: `reason` is the first problem found (NULL:
-- the row is good; a repeated id is marked by sql/hubstats/duplicates.sql afterwards). Parameters: $now (UTC, the
-- range check's "now"). The result is temp table `_hs_rows`.
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
                list_filter(json_extract_string(f.lic, '$[*]'), lambda x: x IS NOT NULL), ','), '')
        END AS license_card,
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
tagged AS (
    SELECT
        d.*,
        -- the Hub tags a model with its card's languages; records with the card but not the tags get them too
        list_concat(d.tags_in, list_filter(d.langs,
            lambda c: c IS NOT NULL AND c <> '' AND NOT list_contains(d.tags_in, c))) AS tags_out
    FROM derived d
),
edged AS (
    SELECT
        t.*,
        list_concat(
            CASE WHEN t.bm_present THEN list_transform(t.bm_ids,
                lambda x: {'parent': x, 'relation': coalesce(nullif(t.bm_relation, ''), 'unknown'), 'source': 'baseModels'})
                ELSE [] END,
            list_transform(t.card_parents, lambda x: {'parent': x, 'relation': 'unknown', 'source': 'cardData'}),
            list_transform(
                list_filter(t.tags_out, lambda g: starts_with(g, 'base_model:') AND length(g) > 11),
                lambda g: CASE
                    WHEN split_part(g[12:], ':', 1) IN ('finetune', 'quantized', 'adapter', 'merge')
                         AND length(g[12:]) > length(split_part(g[12:], ':', 1)) + 1
                    THEN {'parent': g[13 + length(split_part(g[12:], ':', 1)):],
                          'relation': split_part(g[12:], ':', 1), 'source': 'tag'}
                    ELSE {'parent': g[12:], 'relation': 'unknown', 'source': 'tag'}
                END)
        ) AS candidates
    FROM tagged t
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
checked AS (
    SELECT
        l.*,
        CASE
            WHEN l.id_raw IS NULL THEN 'missing id'
            WHEN NOT regexp_full_match(l.id_raw, '(?:[A-Za-z0-9_.-]{1,256}/)?[A-Za-z0-9_.-]{1,256}')
                THEN 'id is not a valid Hub repo id: ' || left('''' || l.id_raw || '''', 120)
        END AS id_reason,
        CASE
            WHEN l.card_bad THEN 'cardData is not an object'
            WHEN l.st_present AND (NOT l.st_params_present)
                THEN 'safetensors is malformed (needs parameters and total)'
            WHEN l.st_present AND l.st_bad_dtype IS NOT NULL
                THEN 'safetensors.parameters[''' || left(l.st_bad_dtype, 17) || '''] is not a valid count'
            WHEN l.st_present AND (l.st_total IS NULL OR l.st_total < 0 OR l.st_total > 100000000000000)
                THEN 'safetensors.total is not a valid count'
            WHEN l.gguf_bad THEN 'gguf is not an object'
            WHEN l.gg_total_type NOT IN ('NULL', 'UBIGINT') THEN 'gguf.total is not a valid count'
            WHEN l.gg_ctx_type NOT IN ('NULL', 'UBIGINT') THEN 'gguf.context_length is not a valid count'
            WHEN l.gg_total_type = 'UBIGINT' AND (l.gg_total ->> '$')::UBIGINT > 100000000000000
                THEN 'gguf.total is absurd'
            WHEN l.gg_arch_type NOT IN ('NULL', 'VARCHAR') THEN 'gguf.architecture is not a string'
            WHEN l.bm_present AND (l.bm_ids IS NULL OR list_bool_or(list_transform(l.bm_ids, lambda x: x IS NULL)))
                THEN 'baseModels.models has an entry without an id'
            WHEN l.cbm_bad THEN 'cardData.base_model is not a list of strings'
            WHEN l.gated_raw IS NOT NULL AND lower(l.gated_raw) NOT IN ('false', 'no', 'auto', 'manual', 'true')
                THEN 'gated is not false/auto/manual: ' || left(l.gated_raw, 40)
            WHEN NOT isfinite(l.trending_raw) THEN 'trendingScore is not a finite number: ' || l.trending_raw
            WHEN NOT l.created_unknown AND (year(l.created_raw) < 2000 OR l.created_raw > $now + INTERVAL 2 DAY)
                THEN 'createdAt is out of range: ' || strftime(l.created_raw, '%Y-%m-%dT%H:%M:%S')
            WHEN year(l.modified_raw) < 2000 OR l.modified_raw > $now + INTERVAL 2 DAY
                THEN 'lastModified is out of range: ' || strftime(l.modified_raw, '%Y-%m-%dT%H:%M:%S')
            WHEN l.lic_type NOT IN ('VARCHAR', 'ARRAY', 'NULL') THEN 'cardData.license is not a string'
            WHEN l.downloads_raw < 0 THEN 'downloads is negative: ' || l.downloads_raw
            WHEN l.downloads_raw > 1000000000000 THEN 'downloads is absurd: ' || l.downloads_raw
            WHEN l.all_time_raw < 0 THEN 'downloadsAllTime is negative: ' || l.all_time_raw
            WHEN l.all_time_raw > 1000000000000 THEN 'downloadsAllTime is absurd: ' || l.all_time_raw
            WHEN l.likes_raw < 0 THEN 'likes is negative: ' || l.likes_raw
            WHEN l.likes_raw > 1000000000000 THEN 'likes is absurd: ' || l.likes_raw
        END AS other_reason
    FROM linked l
)
SELECT
    c.rn,
    left(c.id_raw, 300) AS model_id,
    coalesce(c.id_reason, c.other_reason) AS reason,      -- duplicates are marked next (sql/hubstats/duplicates.sql)
    c.id_reason IS NULL AS id_ok,
    coalesce(nullif(c.author_raw, ''), CASE WHEN contains(c.id_raw, '/') THEN split_part(c.id_raw, '/', 1) END) AS author,
    CASE WHEN NOT c.created_unknown THEN c.created_raw END AS created_at,
    c.created_unknown AS created_at_unknown,
    c.modified_raw AS last_modified,
    c.pipeline_tag_raw AS pipeline_tag,
    c.library_name_raw AS library_name,
    c.tags_out AS tags,
    CASE lower(c.gated_raw) WHEN 'false' THEN 'no' WHEN 'no' THEN 'no' WHEN 'auto' THEN 'auto'
        WHEN 'manual' THEN 'manual' WHEN 'true' THEN 'manual' END AS gated,
    c.private_raw AS private,
    c.disabled_raw AS disabled,
    c.sha_raw AS sha,
    coalesce(nullif(c.license_card, ''),
        list_transform(list_filter(c.tags_out, lambda g: starts_with(g, 'license:')), lambda g: g[9:])[1])
        AS license_raw,
    CASE WHEN c.st_present THEN c.st_total END AS safetensors_total,
    CASE WHEN c.st_present THEN to_json(map_from_entries(list_transform(c.st_entries, lambda e: {'k': e.k, 'v': e.v})))
        END AS safetensors_dtypes,
    CASE WHEN c.gg_total_type = 'UBIGINT' THEN (c.gg_total ->> '$')::BIGINT END AS gguf_total,
    c.gg_arch ->> '$' AS gguf_architecture,
    CASE WHEN c.gg_ctx_type = 'UBIGINT' THEN (c.gg_ctx ->> '$')::BIGINT END AS gguf_context_length,
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
FROM checked c;
