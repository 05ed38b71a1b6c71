-- The high-volume tables partitioned by month (issue 18), so that a city's ten years stay manageable: each month of
-- figure values, their history and the aggregates is a partition of its own (`figure_values_m202601`, range
-- [202601, 202602) of the integer month), and each China-time month of meter readings too (`meter_readings_m202601`,
-- range of Unix seconds). Partitions are made when a month is first written: the store calls
-- `chainpark_month_partitions` before writing (outside its write transaction for an import), which creates the
-- missing ones and returns how many it made. An old month is detached (and archived, or dropped) with
--   ALTER TABLE figure_values DETACH PARTITION figure_values_m201601 CONCURRENTLY;
-- (likewise figure_history and figure_aggregates; docs/scale.md). The meter roll-ups keep one table: their bucket
-- is an hour, a day or a month in three different units, and they are a small fraction of the readings.
-- Every key already includes the month (and the distribution column of docs/scale.md), as partitioning requires.

CREATE FUNCTION chainpark_month_partitions(parent TEXT, months INTEGER[]) RETURNS INTEGER
LANGUAGE plpgsql AS $$
DECLARE
    m         INTEGER;
    made      INTEGER := 0;
    first_day DATE;
    lo        BIGINT;
    hi        BIGINT;
BEGIN
    FOR m IN SELECT DISTINCT x FROM unnest(months) AS x WHERE x IS NOT NULL ORDER BY 1 LOOP
        CONTINUE WHEN to_regclass(quote_ident(parent || '_m' || m)) IS NOT NULL;
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
            EXECUTE format('CREATE TABLE %I PARTITION OF %I FOR VALUES FROM (%s) TO (%s)',
                           parent || '_m' || m, parent, lo, hi);
            made := made + 1;
        EXCEPTION WHEN duplicate_table OR unique_violation THEN
            -- Made meanwhile by another writer.
            NULL;
        END;
    END LOOP;
    RETURN made;
END
$$;

-- The month partitions of the three figure tables at once: a month of values always has its history and
-- aggregate partitions (the aggregates are rebuilt from the values).
CREATE FUNCTION chainpark_figure_partitions(months INTEGER[]) RETURNS INTEGER
LANGUAGE sql AS $$
    SELECT chainpark_month_partitions('figure_values', months)
         + chainpark_month_partitions('figure_history', months)
         + chainpark_month_partitions('figure_aggregates', months)
$$;

ALTER TABLE figure_values RENAME TO figure_values_unpartitioned;
ALTER TABLE figure_values_unpartitioned RENAME CONSTRAINT figure_values_pkey TO figure_values_unpartitioned_pkey;
CREATE TABLE figure_values (
    enterprise_id BIGINT NOT NULL REFERENCES enterprises(id),
    indicator_id  BIGINT NOT NULL REFERENCES indicators(id),
    month         INTEGER NOT NULL,
    value         BIGINT NOT NULL,
    import_id     BIGINT NOT NULL,
    PRIMARY KEY (enterprise_id, indicator_id, month)
) PARTITION BY RANGE (month);

ALTER TABLE figure_history RENAME TO figure_history_unpartitioned;
ALTER INDEX figure_history_key RENAME TO figure_history_unpartitioned_key;
ALTER INDEX figure_history_superseded_by RENAME TO figure_history_unpartitioned_superseded_by;
CREATE TABLE figure_history (
    enterprise_id BIGINT NOT NULL,
    indicator_id  BIGINT NOT NULL,
    month         INTEGER NOT NULL,
    value         BIGINT NOT NULL,
    recorded_at   TIMESTAMPTZ NOT NULL,
    import_id     BIGINT,
    superseded_at TIMESTAMPTZ NOT NULL,
    superseded_by BIGINT
) PARTITION BY RANGE (month);
CREATE INDEX figure_history_key ON figure_history (enterprise_id, indicator_id, month);
CREATE INDEX figure_history_superseded_by ON figure_history (superseded_by);

ALTER TABLE figure_aggregates RENAME TO figure_aggregates_unpartitioned;
ALTER TABLE figure_aggregates_unpartitioned RENAME CONSTRAINT figure_aggregates_pkey
    TO figure_aggregates_unpartitioned_pkey;
CREATE TABLE figure_aggregates (
    dimension    TEXT NOT NULL,
    indicator_id BIGINT NOT NULL,
    month        INTEGER NOT NULL,
    group_id     BIGINT NOT NULL,
    value        BIGINT NOT NULL,
    firms        BIGINT NOT NULL,
    PRIMARY KEY (dimension, indicator_id, month, group_id)
) PARTITION BY RANGE (month);

SELECT chainpark_figure_partitions(ARRAY(
    SELECT month FROM figure_values_unpartitioned UNION SELECT month FROM figure_history_unpartitioned
    UNION SELECT month FROM figure_aggregates_unpartitioned));
INSERT INTO figure_values SELECT enterprise_id, indicator_id, month, value, import_id FROM figure_values_unpartitioned;
INSERT INTO figure_history
SELECT enterprise_id, indicator_id, month, value, recorded_at, import_id, superseded_at, superseded_by
FROM figure_history_unpartitioned;
INSERT INTO figure_aggregates
SELECT dimension, indicator_id, month, group_id, value, firms FROM figure_aggregates_unpartitioned;
DROP TABLE figure_values_unpartitioned;
DROP TABLE figure_history_unpartitioned;
DROP TABLE figure_aggregates_unpartitioned;

ALTER TABLE meter_readings RENAME TO meter_readings_unpartitioned;
ALTER TABLE meter_readings_unpartitioned RENAME CONSTRAINT meter_readings_pkey TO meter_readings_unpartitioned_pkey;
ALTER TABLE meter_readings_unpartitioned RENAME CONSTRAINT meter_readings_value_check
    TO meter_readings_unpartitioned_value_check;
CREATE TABLE meter_readings (
    meter_id BIGINT NOT NULL REFERENCES meters(id),
    t        BIGINT NOT NULL,
    value    BIGINT NOT NULL CHECK (value >= 0),
    PRIMARY KEY (meter_id, t)
) PARTITION BY RANGE (t);
SELECT chainpark_month_partitions('meter_readings', ARRAY(
    SELECT DISTINCT to_char(to_timestamp(t + 28800) AT TIME ZONE 'UTC', 'YYYYMM')::INTEGER
    FROM meter_readings_unpartitioned));
INSERT INTO meter_readings SELECT meter_id, t, value FROM meter_readings_unpartitioned;
DROP TABLE meter_readings_unpartitioned;
