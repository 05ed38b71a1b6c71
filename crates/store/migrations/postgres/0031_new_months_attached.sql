-- An import that is the first to fill a month (issue 18; docs/scale.md "The import on PostgreSQL") copies that
-- month's values into a table of its own without an index, then builds its keys and attaches it as the month's
-- partition of `figure_values`, in its write transaction: COPY into a table without an index ran at 1.8 M values/s
-- on these machines, COPY into the indexed, partitioned table at 270,000. The months' history and aggregate
-- partitions are made the same way, empty. Attaching takes SHARE UPDATE EXCLUSIVE on the parent, which readers and
-- writers of the other months do not wait for, where `CREATE TABLE ... PARTITION OF` takes ACCESS EXCLUSIVE; a CHECK
-- of the month's bounds, made with the empty table, lets ATTACH PARTITION skip its scan, and is dropped once the
-- table is attached. A failed import rolls back both table and partition.
--
-- Whoever makes a figure month's partitions takes a transaction-level advisory lock per month first, all of them
-- in ascending order before any DDL (`chainpark_lock_figure_months`): two makers of one month follow one another,
-- and the second finds it made.

-- Whether the schema has the month's table of `parent` (read from the catalogue as of this statement, so a table
-- committed while this transaction waited for a lock is seen).
CREATE FUNCTION chainpark_has_month(parent TEXT, m INTEGER) RETURNS BOOLEAN
LANGUAGE sql AS $$
    SELECT EXISTS (SELECT 1 FROM pg_class
                   WHERE relnamespace = current_schema()::regnamespace AND relname = parent || '_m' || m)
$$;

-- The advisory locks of figure months, keyed by the schema's `figure_values` (so that schemas do not wait for one
-- another) and the month; held to the end of the transaction.
CREATE FUNCTION chainpark_lock_figure_months(months INTEGER[]) RETURNS VOID
LANGUAGE plpgsql AS $$
DECLARE
    m INTEGER;
BEGIN
    FOR m IN SELECT DISTINCT x FROM unnest(months) AS x WHERE x IS NOT NULL ORDER BY 1 LOOP
        PERFORM pg_advisory_xact_lock('figure_values'::regclass::oid::INTEGER, m);
    END LOOP;
END
$$;

-- As in 0022, with the figure months locked first and their tables attached rather than made as partitions: a
-- month made while an import writes waits for the import's end, but readers and writers do not wait behind it.
CREATE OR REPLACE FUNCTION chainpark_month_partitions(parent TEXT, months INTEGER[]) RETURNS INTEGER
LANGUAGE plpgsql AS $$
DECLARE
    m         INTEGER;
    made      INTEGER := 0;
    first_day DATE;
    lo        BIGINT;
    hi        BIGINT;
BEGIN
    IF parent IN ('figure_values', 'figure_history', 'figure_aggregates') THEN
        PERFORM chainpark_lock_figure_months(months);
    END IF;
    FOR m IN SELECT DISTINCT x FROM unnest(months) AS x WHERE x IS NOT NULL ORDER BY 1 LOOP
        CONTINUE WHEN chainpark_has_month(parent, m);
        IF parent = 'meter_readings' THEN
            -- China Standard Time: UTC+8 without daylight saving.
            first_day := make_date(m / 100, m % 100, 1);
            lo := extract(epoch FROM first_day::TIMESTAMP)::BIGINT - 28800;
            hi := extract(epoch FROM (first_day + INTERVAL '1 month')::TIMESTAMP)::BIGINT - 28800;
        ELSE
            lo := m;
            hi := m + 1;
        END IF;
        BEGIN
            IF parent = 'meter_readings' THEN
                EXECUTE format('CREATE TABLE %I PARTITION OF %I FOR VALUES FROM (%s) TO (%s)',
                               parent || '_m' || m, parent, lo, hi);
            ELSE
                -- Made and attached empty: readers of the other months do not queue behind it.
                PERFORM chainpark_month_table(parent, m);
                PERFORM chainpark_attach_month(parent, m);
            END IF;
            made := made + 1;
        EXCEPTION WHEN duplicate_table OR unique_violation THEN
            -- Made meanwhile by another writer.
            NULL;
        END;
    END LOOP;
    RETURN made;
END
$$;

-- Month `m`'s table of the figure table `parent`, standalone: the parent's columns, no index, and the CHECK of
-- the month's bounds that lets ATTACH PARTITION skip its scan.
CREATE FUNCTION chainpark_month_table(parent TEXT, m INTEGER) RETURNS VOID
LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE format('CREATE TABLE %I (LIKE %I INCLUDING DEFAULTS INCLUDING CONSTRAINTS, '
                   'CONSTRAINT %I CHECK (month >= %s AND month < %s))',
                   parent || '_m' || m, parent, parent || '_m' || m || '_bounds', m, m + 1);
END
$$;

-- Attaches month `m`'s table to `parent`: PostgreSQL builds on it each index of the parent (its keys) and
-- attaches them to the parent's; the CHECK of `chainpark_month_table` is dropped afterwards, so the partition is
-- the same as one `chainpark_month_partitions` makes.
CREATE FUNCTION chainpark_attach_month(parent TEXT, m INTEGER) RETURNS VOID
LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE format('ALTER TABLE %I ATTACH PARTITION %I FOR VALUES FROM (%s) TO (%s)',
                   parent, parent || '_m' || m, m, m + 1);
    EXECUTE format('ALTER TABLE %I DROP CONSTRAINT %I', parent || '_m' || m, parent || '_m' || m || '_bounds');
END
$$;

-- In an import's write transaction, with the months it writes: returns those that have no partition of
-- `figure_values` yet (none when `figure_values` is not partitioned). For each, the history and aggregate
-- partitions are made and attached empty, and `figure_values_mYYYYMM` is made standalone and attached to `loader`,
-- a table made here, partitioned like `figure_values` and without an index, into which the import copies the new
-- months' values (one COPY a batch, whatever its months); `chainpark_attach_figure_months` ends it.
CREATE FUNCTION chainpark_new_figure_months(months INTEGER[], loader TEXT) RETURNS INTEGER[]
LANGUAGE plpgsql AS $$
DECLARE
    m          INTEGER;
    t          TEXT;
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
        FOREACH t IN ARRAY ARRAY['figure_history', 'figure_aggregates'] LOOP
            IF NOT chainpark_has_month(t, m) THEN
                PERFORM chainpark_month_table(t, m);
                PERFORM chainpark_attach_month(t, m);
            END IF;
        END LOOP;
        PERFORM chainpark_month_table('figure_values', m);
        made := made || m;
    END LOOP;
    IF cardinality(made) > 0 THEN
        EXECUTE format('CREATE TABLE %I (LIKE figure_values) PARTITION BY RANGE (month)', loader);
        FOREACH m IN ARRAY made LOOP
            EXECUTE format('ALTER TABLE %I ATTACH PARTITION %I FOR VALUES FROM (%s) TO (%s)',
                           loader, 'figure_values_m' || m, m, m + 1);
        END LOOP;
    END IF;
    RETURN made;
END
$$;

-- Ends `chainpark_new_figure_months` once the import has copied its values: each month's table leaves the
-- loader and becomes a partition of `figure_values` (its keys built now, over the full table), and the loader is
-- dropped.
CREATE FUNCTION chainpark_attach_figure_months(months INTEGER[], loader TEXT) RETURNS VOID
LANGUAGE plpgsql AS $$
DECLARE
    m INTEGER;
BEGIN
    FOREACH m IN ARRAY months LOOP
        EXECUTE format('ALTER TABLE %I DETACH PARTITION %I', loader, 'figure_values_m' || m);
        PERFORM chainpark_attach_month('figure_values', m);
    END LOOP;
    EXECUTE format('DROP TABLE %I', loader);
END
$$;
