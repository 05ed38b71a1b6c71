-- An import that replaces stored values writes their history before its write transaction, in short transactions
-- of its own, under its id (`superseded_by`); readers ignore history whose import is not stored. This index lets
-- the write transaction count what was written early, and a failed import remove it.
CREATE INDEX figure_history_superseded_by ON figure_history (superseded_by);
