-- hub-stats dump: a repeated id keeps its first GOOD row (file order); every later row of that id is rejected
-- as a duplicate, as the per-record path does (a bad first row does not count). Only ids that occur more than
-- once are sorted, so the check costs next to nothing on a dump without duplicates.
UPDATE _hs_rows SET reason = 'duplicate id in this run (first kept)'
WHERE rn IN (
    SELECT rn
    FROM (
        SELECT rn, coalesce(sum(CASE WHEN reason IS NULL THEN 1 ELSE 0 END) OVER (PARTITION BY model_id ORDER BY rn
                   ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) > 0 AS after_a_good_row
        FROM _hs_rows
        WHERE id_ok AND model_id IN (SELECT model_id FROM _hs_rows WHERE id_ok GROUP BY model_id HAVING count(*) > 1)
    )
    WHERE after_a_good_row
);
