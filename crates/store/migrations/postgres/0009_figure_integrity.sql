-- Figures that cannot overflow silently, an indicator catalogue that can change, and imports that compare their
-- file with the stored values outside the write transaction.
-- * Indicators get an archived flag (no new figures; their history stays readable) and an optional maximum per
--   enterprise and month, in hundredths of the base unit (NULL: the default of the unit).
-- * BIGINT sums that overflow already fail on PostgreSQL ("bigint out of range"); nothing to change there.
-- * figure_revision: one row, bumped by every import that changes values, and locked by every transaction that
--   writes values or aggregates (so they follow one another). An import compares its file with the stored values
--   before its write transaction, and in it sees from the revision whether they changed meanwhile (then it
--   compares again, inside the transaction).

ALTER TABLE indicators ADD COLUMN archived BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE indicators ADD COLUMN max_per_month BIGINT;

CREATE TABLE figure_revision (
    id       INTEGER PRIMARY KEY CHECK (id = 1),
    revision BIGINT NOT NULL
);
INSERT INTO figure_revision (id, revision) VALUES (1, 0);
