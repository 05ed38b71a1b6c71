-- Imports write millions of figure values; a foreign key checks each inserted row with a query of its own, which
-- tripled the time of the import's merge (issue 18: 960,000 values in 21.7 s with the keys to `enterprises` and
-- `indicators`, 6.9 s without). The import checks the enterprises and indicators of the whole file at once in its
-- write transaction instead (enterprises and indicators are archived, never deleted), and `chainpark check`
-- reports values whose enterprise or indicator is missing. Dropping the keys on the partitioned table drops them on
-- every month partition. (Migration 0022 made them while the old table still held their usual names, so they are
-- called `figure_values_enterprise_id_fkey1` and so on: they are found in the catalogue rather than named.)
DO $$
DECLARE
    k RECORD;
BEGIN
    FOR k IN SELECT conname FROM pg_constraint
             WHERE conrelid = 'figure_values'::regclass AND contype = 'f' AND conparentid = 0 LOOP
        EXECUTE format('ALTER TABLE figure_values DROP CONSTRAINT %I', k.conname);
    END LOOP;
END
$$;
