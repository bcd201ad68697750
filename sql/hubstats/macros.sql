-- hub-stats dump: helpers of sql/hubstats/rows.sql, so its reasons read as pipeline/ingest/normalize.py's do.
-- Temp macros on the writer's connection, dropped after the import (pipeline/ingest/hubstats.py).
-- A Hub repo id (pipeline/ingest/fields.py valid_id): `[namespace/]name`, namespace <= 96 and name <= 256
-- characters of [A-Za-z0-9._-], no part starting or ending with '-' or '.', no '..'. RE2 has no lookarounds (a
-- part: one [A-Za-z0-9_], or two around any of [A-Za-z0-9_.-]); the lengths are checked apart, since counted
-- repetitions ({0,254}) make RE2's automaton large and slow. A matching id is ASCII: strpos/strlen count
-- characters. With no '/', strpos is 0 and the whole id is the name.
CREATE OR REPLACE TEMP MACRO hs_valid_id(s) AS
    regexp_full_match(s, '(?:[A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_])?/)?[A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_])?')
    AND strpos(s, '/') <= 97 AND strlen(s) - strpos(s, '/') <= 256
    AND NOT contains(s, '..');
-- Python's repr() of a string, for reasons like "…: 'bad id'" (quotes as repr picks them; backslash, tab,
-- newline and carriage return escaped; other non-printable characters are rare enough to show as they are).
CREATE OR REPLACE TEMP MACRO hs_repr(s) AS
    CASE WHEN contains(s, '''') AND NOT contains(s, '"')
        THEN '"' || replace(replace(replace(replace(s, '\', '\\'), chr(9), '\t'), chr(10), '\n'), chr(13), '\r') || '"'
        ELSE '''' || replace(replace(replace(replace(replace(s, '\', '\\'), chr(9), '\t'), chr(10), '\n'), chr(13), '\r'),
                             '''', '\''') || ''''
    END;
-- A stored string over the size cap (checks.py): "<column> has a value of N characters (more than 1,000)", else
-- NULL. strlen (bytes, kept with each string) screens first: a value of <= 1,000 bytes has <= 1,000 characters.
CREATE OR REPLACE TEMP MACRO hs_cap(name, s) AS
    CASE WHEN strlen(s) > 1000 AND length(s) > 1000
        THEN format('{} has a value of {:,} characters (more than 1,000)', name, length(s)) END;
-- The list with each value once, at its first position.
CREATE OR REPLACE TEMP MACRO hs_first_each(l) AS list_filter(l, lambda c, i: list_position(l, c) = i);
-- Where the i-th parent mention of a row came from (sql/hubstats/rows.sql lists baseModels, cardData, tags).
CREATE OR REPLACE TEMP MACRO hs_source(i, n_bm, n_card) AS
    CASE WHEN i <= n_bm THEN 'baseModels' WHEN i <= n_bm + n_card THEN 'cardData' ELSE 'tag' END;
