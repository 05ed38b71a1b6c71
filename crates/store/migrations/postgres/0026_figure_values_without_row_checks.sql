-- Imports write millions of figure values; a foreign key checks each inserted row with a query of its own, which
-- tripled the time of the import's merge (issue 18: 960,000 values in 21.7 s with the keys to `enterprises` and
-- `indicators`, 6.9 s without). The import checks the enterprises and indicators of the whole file at once in its
-- write transaction instead (enterprises and indicators are archived, never deleted), and `chainpark check`
-- reports values whose enterprise or indicator is missing. Dropping the keys on the partitioned table drops them on
-- every month partition.
ALTER TABLE figure_values DROP CONSTRAINT IF EXISTS figure_values_enterprise_id_fkey;
ALTER TABLE figure_values DROP CONSTRAINT IF EXISTS figure_values_indicator_id_fkey;
