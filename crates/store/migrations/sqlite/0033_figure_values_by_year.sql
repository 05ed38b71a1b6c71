-- SQLite keeps a year of an enterprise's indicator in one row (issue 14): the value and the import of each of its
-- twelve months, NULL where the month has no value. An import compares and writes about twelve times fewer B-tree
-- entries than with one row a month. `figure_values` becomes a view with the columns it had, so readers that
-- filter by enterprise and indicator keep reading by key; the hot readers look a month up by its year instead
-- (see `figure_batches` and the engine's SQL fragments).

CREATE TABLE figure_years (
    enterprise_id INTEGER NOT NULL,
    indicator_id  INTEGER NOT NULL,
    year          INTEGER NOT NULL,
    v1 INTEGER, i1 INTEGER,
    v2 INTEGER, i2 INTEGER,
    v3 INTEGER, i3 INTEGER,
    v4 INTEGER, i4 INTEGER,
    v5 INTEGER, i5 INTEGER,
    v6 INTEGER, i6 INTEGER,
    v7 INTEGER, i7 INTEGER,
    v8 INTEGER, i8 INTEGER,
    v9 INTEGER, i9 INTEGER,
    v10 INTEGER, i10 INTEGER,
    v11 INTEGER, i11 INTEGER,
    v12 INTEGER, i12 INTEGER,
    PRIMARY KEY (enterprise_id, indicator_id, year)
) WITHOUT ROWID;

INSERT INTO figure_years (enterprise_id, indicator_id, year, v1, i1, v2, i2, v3, i3, v4, i4, v5, i5, v6, i6, v7, i7, v8, i8, v9, i9, v10, i10, v11, i11, v12, i12)
SELECT enterprise_id, indicator_id, month / 100,
       MAX(CASE WHEN month % 100 = 1 THEN value END), MAX(CASE WHEN month % 100 = 1 THEN import_id END),
       MAX(CASE WHEN month % 100 = 2 THEN value END), MAX(CASE WHEN month % 100 = 2 THEN import_id END),
       MAX(CASE WHEN month % 100 = 3 THEN value END), MAX(CASE WHEN month % 100 = 3 THEN import_id END),
       MAX(CASE WHEN month % 100 = 4 THEN value END), MAX(CASE WHEN month % 100 = 4 THEN import_id END),
       MAX(CASE WHEN month % 100 = 5 THEN value END), MAX(CASE WHEN month % 100 = 5 THEN import_id END),
       MAX(CASE WHEN month % 100 = 6 THEN value END), MAX(CASE WHEN month % 100 = 6 THEN import_id END),
       MAX(CASE WHEN month % 100 = 7 THEN value END), MAX(CASE WHEN month % 100 = 7 THEN import_id END),
       MAX(CASE WHEN month % 100 = 8 THEN value END), MAX(CASE WHEN month % 100 = 8 THEN import_id END),
       MAX(CASE WHEN month % 100 = 9 THEN value END), MAX(CASE WHEN month % 100 = 9 THEN import_id END),
       MAX(CASE WHEN month % 100 = 10 THEN value END), MAX(CASE WHEN month % 100 = 10 THEN import_id END),
       MAX(CASE WHEN month % 100 = 11 THEN value END), MAX(CASE WHEN month % 100 = 11 THEN import_id END),
       MAX(CASE WHEN month % 100 = 12 THEN value END), MAX(CASE WHEN month % 100 = 12 THEN import_id END)
FROM figure_values GROUP BY enterprise_id, indicator_id, month / 100 ORDER BY enterprise_id, indicator_id, month / 100;

DROP TABLE figure_values;

-- Every month a value may have (the years 1900 to 2999, as `Month` allows), with its year and its number: the view
-- below goes from a month to its year's row by key.
CREATE TABLE calendar_months (
    month INTEGER PRIMARY KEY,
    year  INTEGER NOT NULL,
    m     INTEGER NOT NULL
);
WITH RECURSIVE n (i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 1100 * 12 - 1)
INSERT INTO calendar_months (month, year, m) SELECT (1900 + i / 12) * 100 + i % 12 + 1, 1900 + i / 12, i % 12 + 1 FROM n;
CREATE INDEX calendar_months_by_year ON calendar_months (year, m);

-- The values as they were kept before, one row a month. A join rather than a union of twelve selects: SQLite
-- flattens it into the query that reads it (a union would be materialised whole for a join), and a month or a
-- range of months a query names becomes a search of the calendar, then of each year's row by its whole key.
CREATE VIEW figure_values (enterprise_id, indicator_id, month, value, import_id) AS
SELECT y.enterprise_id, y.indicator_id, k.month,
       CASE k.m WHEN 1 THEN y.v1 WHEN 2 THEN y.v2 WHEN 3 THEN y.v3 WHEN 4 THEN y.v4 WHEN 5 THEN y.v5 WHEN 6 THEN y.v6 WHEN 7 THEN y.v7 WHEN 8 THEN y.v8 WHEN 9 THEN y.v9 WHEN 10 THEN y.v10 WHEN 11 THEN y.v11 WHEN 12 THEN y.v12 END,
       CASE k.m WHEN 1 THEN y.i1 WHEN 2 THEN y.i2 WHEN 3 THEN y.i3 WHEN 4 THEN y.i4 WHEN 5 THEN y.i5 WHEN 6 THEN y.i6 WHEN 7 THEN y.i7 WHEN 8 THEN y.i8 WHEN 9 THEN y.i9 WHEN 10 THEN y.i10 WHEN 11 THEN y.i11 WHEN 12 THEN y.i12 END
FROM calendar_months k JOIN figure_years y ON y.year = k.year
WHERE (CASE k.m WHEN 1 THEN y.v1 WHEN 2 THEN y.v2 WHEN 3 THEN y.v3 WHEN 4 THEN y.v4 WHEN 5 THEN y.v5 WHEN 6 THEN y.v6 WHEN 7 THEN y.v7 WHEN 8 THEN y.v8 WHEN 9 THEN y.v9 WHEN 10 THEN y.v10 WHEN 11 THEN y.v11 WHEN 12 THEN y.v12 END) IS NOT NULL;
