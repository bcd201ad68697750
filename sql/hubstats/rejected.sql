-- hub-stats dump: quarantine the rows `sql/hubstats/rows.sql` found bad, each with its reason and the record
-- exactly as the file holds it (temp view `_hs_file`: those rows of the file, by `file_row_number`), as JSON.
-- Parameters: $at (rejected_at = the snapshot time), $run (run_id).
INSERT INTO rejected_records BY NAME
SELECT $run AS run_id, $at AS rejected_at, h.model_id, h.reason, to_json(f.record) AS raw_json
FROM _hs_rows h
JOIN _hs_file f ON f.rn = h.rn
WHERE h.reason IS NOT NULL;
