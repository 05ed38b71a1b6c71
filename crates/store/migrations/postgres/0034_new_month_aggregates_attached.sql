-- An import that is the first to fill a month writes that month's aggregates the way 0031 writes its values
-- (issue 18): the month's `figure_aggregates` table is made standalone, without an index, and attached to a second
-- loader beside the values' one; the import sums the month's cells in memory over the whole file and copies each
-- cell once into the loader (COPY, no index to keep), and `chainpark_attach_figure_months` builds the keys and
-- attaches the table as the month's partition, as it does the values'. Until 0034 the new month's aggregate
-- partition was attached empty at the start and filled by upserts a few thousand cells a statement.
-- The aggregates' loader is named after the values' one: `<loader>_aggregates`.

CREATE OR REPLACE FUNCTION chainpark_new_figure_months(months INTEGER[], loader TEXT) RETURNS INTEGER[]
LANGUAGE plpgsql AS $$
DECLARE
    m          INTEGER;
    candidates INTEGER[];
    made       INTEGER[] := '{}';
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_partitioned_table WHERE partrelid = 'figure_values'::regclass) THEN
        RETURN made;
    END IF;
    candidates := ARRAY(SELECT DISTINCT x FROM unnest(months) AS x
                        WHERE x IS NOT NULL AND NOT chainpark_has_month('figure_values', x) ORDER BY 1);
    PERFORM chainpark_lock_figure_months(candidates);
    FOREACH m IN ARRAY candidates LOOP
        -- Made meanwhile (e.g. by `chainpark_figure_partitions`): the import writes it as an existing month.
        CONTINUE WHEN chainpark_has_month('figure_values', m);
        IF NOT chainpark_has_month('figure_history', m) THEN
            PERFORM chainpark_month_table('figure_history', m);
            PERFORM chainpark_attach_month('figure_history', m);
        END IF;
        IF chainpark_has_month('figure_aggregates', m) THEN
            -- An aggregates' partition without values' (chainpark makes none): it goes to the loader as it is,
            -- keys and rows kept, with the bounds that `chainpark_attach_month` expects.
            EXECUTE format('ALTER TABLE figure_aggregates DETACH PARTITION %I', 'figure_aggregates_m' || m);
            EXECUTE format('ALTER TABLE %I ADD CONSTRAINT %I CHECK (month >= %s AND month < %s)',
                           'figure_aggregates_m' || m, 'figure_aggregates_m' || m || '_bounds', m, m + 1);
        ELSE
            PERFORM chainpark_month_table('figure_aggregates', m);
        END IF;
        PERFORM chainpark_month_table('figure_values', m);
        made := made || m;
    END LOOP;
    IF cardinality(made) > 0 THEN
        EXECUTE format('CREATE TABLE %I (LIKE figure_values) PARTITION BY RANGE (month)', loader);
        EXECUTE format('CREATE TABLE %I (LIKE figure_aggregates) PARTITION BY RANGE (month)',
                       loader || '_aggregates');
        FOREACH m IN ARRAY made LOOP
            EXECUTE format('ALTER TABLE %I ATTACH PARTITION %I FOR VALUES FROM (%s) TO (%s)',
                           loader, 'figure_values_m' || m, m, m + 1);
            EXECUTE format('ALTER TABLE %I ATTACH PARTITION %I FOR VALUES FROM (%s) TO (%s)',
                           loader || '_aggregates', 'figure_aggregates_m' || m, m, m + 1);
        END LOOP;
    END IF;
    RETURN made;
END
$$;

-- Ends `chainpark_new_figure_months` once the import has copied its values and the new months' aggregates: each
-- month's two tables leave their loaders and become partitions of `figure_values` and `figure_aggregates` (their
-- keys built now, over the full tables), and the loaders are dropped.
CREATE OR REPLACE FUNCTION chainpark_attach_figure_months(months INTEGER[], loader TEXT) RETURNS VOID
LANGUAGE plpgsql AS $$
DECLARE
    m INTEGER;
BEGIN
    FOREACH m IN ARRAY months LOOP
        EXECUTE format('ALTER TABLE %I DETACH PARTITION %I', loader, 'figure_values_m' || m);
        PERFORM chainpark_attach_month('figure_values', m);
        EXECUTE format('ALTER TABLE %I DETACH PARTITION %I', loader || '_aggregates', 'figure_aggregates_m' || m);
        PERFORM chainpark_attach_month('figure_aggregates', m);
    END LOOP;
    EXECUTE format('DROP TABLE %I', loader);
    EXECUTE format('DROP TABLE %I', loader || '_aggregates');
END
$$;
