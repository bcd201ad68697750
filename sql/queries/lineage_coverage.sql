-- Lineage captions: how many filtered models have a recorded parent, and the link sources.
-- Variables: threshold default_threshold(), scope 'language', unknown 'exclude', tasks [], orgs [].
SELECT
    (SELECT count(*) FROM hs_models())                                                    AS models,
    (SELECT count(DISTINCT l.child_id) FROM model_lineage l JOIN hs_models() m ON m.model_id = l.child_id)
                                                                                          AS models_with_parent,
    (SELECT count(*) FROM model_lineage)                                                  AS links_total,
    (SELECT string_agg(DISTINCT source, ', ' ORDER BY source) FROM model_lineage)         AS link_sources;
