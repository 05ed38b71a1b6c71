-- Monthly values lose their own timestamp and their foreign keys, to make imports several times faster:
-- * `recorded_at` was the time of the value's import in every row; it is now read from `figure_imports.at`
--   through `import_id`, which becomes required (a value that somehow had no import is given one, dated as it was).
-- * Foreign-key checks cost two index lookups per inserted value. Every value comes through the import, which
--   resolves credit codes and indicator names against the registry and the catalogue in the same transaction, and
--   enterprises and indicators are never deleted (enterprises are archived), so the store keeps the rule itself.

INSERT INTO figure_imports (at, actor, file_name, stored, values_received, values_changed, report)
SELECT MIN(recorded_at), 'migration 0005', 'values recorded without an import', TRUE, COUNT(*), COUNT(*), '{}'
FROM figure_values WHERE import_id IS NULL HAVING COUNT(*) > 0;

CREATE TABLE figure_values_slim (
    enterprise_id INTEGER NOT NULL,
    indicator_id  INTEGER NOT NULL,
    month         INTEGER NOT NULL,
    value         INTEGER NOT NULL,
    import_id     INTEGER NOT NULL,
    PRIMARY KEY (enterprise_id, indicator_id, month)
) WITHOUT ROWID;

INSERT INTO figure_values_slim (enterprise_id, indicator_id, month, value, import_id)
SELECT enterprise_id, indicator_id, month, value,
       COALESCE(import_id, (SELECT MAX(id) FROM figure_imports WHERE actor = 'migration 0005'))
FROM figure_values ORDER BY enterprise_id, indicator_id, month;

DROP TABLE figure_values;
ALTER TABLE figure_values_slim RENAME TO figure_values;
