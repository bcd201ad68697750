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
        -- is parsed once: a text starting with '{' (after JSON whitespace) is an object if it parses at all, and
        -- the one extract of every field needed fails (NULL under TRY) when it does not.
        CASE WHEN starts_with(r.card_raw, '{') OR starts_with(ltrim(r.card_raw, ' ' || chr(9) || chr(10) || chr(13)), '{')
            THEN TRY(json_extract(r.card_raw, ['$.license', '$.language', '$.base_model'])) END AS cp,
        CASE WHEN starts_with(r.gguf_raw, '{') OR starts_with(ltrim(r.gguf_raw, ' ' || chr(9) || chr(10) || chr(13)), '{')
            THEN TRY(json_extract(r.gguf_raw, ['$.total', '$.context_length', '$.architecture'])) END AS gp,
        r.created_raw IS NULL OR r.created_raw = TIMESTAMP '2022-03-02 23:29:04' AS created_unknown
    FROM _hs_raw r
),
extracted AS (
    SELECT p.*, p.card_raw IS NOT NULL AND p.cp IS NULL AS card_bad, p.gguf_raw IS NOT NULL AND p.gp IS NULL AS gguf_bad
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
tagged AS (
    SELECT
        d.*,
        -- the Hub tags a model with its card's languages (each once); records with the card but not the tags
        -- get them too (most cards' languages are tags already: list_has_all skips the per-language work)
        CASE WHEN len(d.langs) = 0 OR list_has_all(d.tags_in, d.langs) THEN d.tags_in
            ELSE list_concat(d.tags_in, hs_first_each(list_filter(d.langs,
                lambda c: c IS NOT NULL AND c <> '' AND NOT list_contains(d.tags_in, c))))
        END AS tags_out
    FROM derived d
),
based AS (
    SELECT t.*, list_filter(t.tags_out, lambda g: starts_with(g, 'base_model:') AND strlen(g) > 11) AS bm_tags
    FROM tagged t
),
tag_parsed AS (
    SELECT
        b.*,
        coalesce(nullif(b.bm_relation, ''), 'unknown') AS bm_rel,
        CASE WHEN b.bm_present THEN coalesce(b.bm_ids, []) ELSE [] END AS bm_c,
        -- `base_model:<relation>:<parent>` names a relation when it is a known one with a parent after it
        list_transform(b.bm_tags, lambda g: coalesce(nullif(
            regexp_extract(g, '(?s)^base_model:(finetune|quantized|adapter|merge):.', 1), ''), 'unknown')) AS tag_rels,
        list_transform(b.bm_tags, lambda g: regexp_replace(g, '(?s)^base_model:((finetune|quantized|adapter|merge):)?(.)', '\3'))
            AS tag_parents,
        -- a relation outside the known set (normalize.py `_parents`): something before and after a second ':'
        CASE WHEN list_bool_or(list_transform(b.bm_tags, lambda g: contains(g[12:], ':'))) THEN
            list_filter(b.bm_tags, lambda g: strpos(g[12:], ':') BETWEEN 1 AND length(g[12:]) - 1
                AND NOT regexp_matches(g, '^base_model:(finetune|quantized|adapter|merge):'))[1]
        END AS bad_rel_tag
    FROM based b
),
candidated AS (
    -- every parent mention in order (baseModels, then cardData, then tags) as parallel lists: c_parent, c_rel;
    -- the source follows from the position (n_bm, n_card). `known`: the parents named with a known relation.
    SELECT
        t.*,
        list_concat(t.bm_c, t.card_parents, t.tag_parents) AS c_parent,
        list_concat(list_resize([]::VARCHAR[], len(t.bm_c), t.bm_rel),
            list_resize([]::VARCHAR[], len(t.card_parents), 'unknown'), t.tag_rels) AS c_rel,
        len(t.bm_c) AS n_bm,
        len(t.card_parents) AS n_card,
        list_concat(CASE WHEN t.bm_rel <> 'unknown' THEN t.bm_c ELSE [] END,
            list_transform(list_filter(list_zip(t.tag_parents, t.tag_rels), lambda z: z[2] <> 'unknown'),
                lambda z: z[1])) AS known
    FROM tag_parsed t
),
edged AS (
    -- the edges: the mentions of another model, less the 'unknown' ones of a parent named with a known relation
    -- anywhere (that filter removes mentions, never a parent: base_models is every other parent mentioned)
    SELECT
        c.*,
        list_sort(list_distinct(list_filter(c.c_parent, lambda x: x <> c.id_raw))) AS base_models,
        CASE WHEN list_contains(c.c_parent, c.id_raw)
            THEN list_transform(list_filter(list_zip(c.c_parent, c.c_rel), lambda z: z[1] <> c.id_raw), lambda z: z[2])
            ELSE c.c_rel END AS edge_rels
    FROM candidated c
),
judged AS (
    SELECT
        e.*,
        -- the first edge whose parent is not a valid id (its source named), looked for only when a parent is bad
        CASE WHEN list_bool_or(list_transform(e.base_models, lambda x: NOT hs_valid_id(x))) THEN
            list_filter(range(1, len(e.c_parent) + 1), lambda i: e.c_parent[i] <> e.id_raw
                AND (e.c_rel[i] <> 'unknown' OR NOT list_contains(e.known, e.c_parent[i]))
                AND NOT hs_valid_id(e.c_parent[i]))[1]
        END AS bad_at
    FROM edged e
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
            WHEN len(j.c_parent) > 200 THEN format('{:,} base models (more than 200)', len(j.c_parent))
            WHEN j.bad_at IS NOT NULL
                THEN 'base model id (from ' || hs_source(j.bad_at, j.n_bm, j.n_card) || ') is not a valid Hub repo id: '
                     || left(hs_repr(j.c_parent[j.bad_at]), 120)
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
    -- list item) over 1,000 characters; the length named is that column's longest in the row (hs_cap).
    SELECT
        v.*,
        coalesce(
            hs_cap('author', v.author), hs_cap('pipeline_tag', v.pipeline_tag_raw),
            hs_cap('library_name', v.library_name_raw),
            CASE WHEN strlen(array_to_string(v.tags_out, '')) > 1000
                AND list_max(list_transform(v.tags_out, lambda g: strlen(g))) > 1000
                AND list_max(list_transform(v.tags_out, lambda g: length(g))) > 1000 THEN format(
                'tags has a value of {:,} characters (more than 1,000)',
                list_max(list_transform(v.tags_out, lambda g: length(g)))) END,
            hs_cap('sha', v.sha_raw), hs_cap('license_raw', v.license_raw),
            hs_cap('safetensors_dtypes', v.safetensors_dtypes), hs_cap('gguf_architecture', v.gguf_architecture)
        ) AS cap_reason
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
    c.base_models,
    CASE
        WHEN len(c.base_models) = 0 THEN NULL
        WHEN list_contains(c.edge_rels, 'quantized') THEN 'quantized'
        WHEN list_contains(c.edge_rels, 'adapter') THEN 'adapter'
        WHEN list_contains(c.edge_rels, 'merge') THEN 'merge'
        WHEN list_contains(c.edge_rels, 'finetune') THEN 'finetune'
        ELSE 'unknown'
    END AS base_relation,
    c.c_parent, c.c_rel, c.n_bm, c.n_card, c.known,
    c.downloads_raw AS downloads_30d,
    c.all_time_raw AS downloads_all_time,
    c.likes_raw AS likes,
    c.trending_raw AS trending_score
FROM capped c;
