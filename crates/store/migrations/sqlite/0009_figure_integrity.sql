-- Figures that cannot overflow silently, an indicator catalogue that can change, and imports that compare their
-- file with the stored values outside the write lock.
-- * Indicators get an archived flag (no new figures; their history stays readable) and an optional maximum per
--   enterprise and month, in hundredths of the base unit (NULL: the default of the unit).
-- * SQLite turns an integer sum that overflows into a REAL, so the aggregate table is rebuilt with a CHECK that
--   keeps its sums integers: an overflowing import now fails instead. Rows that already hold a REAL are left
--   out; `chainpark check` then names the aggregates that differ from their values.
-- * figure_revision: one row, bumped by every import that changes values. An import compares its file with the
--   stored values before it takes the write lock, and in its short write transaction it sees from the revision
--   whether they changed meanwhile (then it compares again, inside the transaction).

ALTER TABLE indicators ADD COLUMN archived BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE indicators ADD COLUMN max_per_month INTEGER;

CREATE TABLE figure_aggregates_checked (
    dimension    TEXT NOT NULL,
    indicator_id INTEGER NOT NULL,
    month        INTEGER NOT NULL,
    group_id     INTEGER NOT NULL,
    value        INTEGER NOT NULL CONSTRAINT aggregate_value_is_integer CHECK (typeof(value) = 'integer'),
    firms        INTEGER NOT NULL CONSTRAINT aggregate_firms_is_integer CHECK (typeof(firms) = 'integer'),
    PRIMARY KEY (dimension, indicator_id, month, group_id)
) WITHOUT ROWID;

INSERT INTO figure_aggregates_checked (dimension, indicator_id, month, group_id, value, firms)
SELECT dimension, indicator_id, month, group_id, value, firms FROM figure_aggregates
WHERE typeof(value) = 'integer' AND typeof(firms) = 'integer';

DROP TABLE figure_aggregates;
ALTER TABLE figure_aggregates_checked RENAME TO figure_aggregates;

CREATE TABLE figure_revision (
    id       INTEGER PRIMARY KEY CHECK (id = 1),
    revision INTEGER NOT NULL
);
INSERT INTO figure_revision (id, revision) VALUES (1, 0);
