-- Monthly values lose their own timestamp: `recorded_at` was the time of the value's import in every row; it is now
-- read from `figure_imports.at` through `import_id`, which becomes required (a value that somehow had no import is
-- given one, dated as it was). The SQLite migration also drops the foreign keys, which cost that engine two index
-- lookups per value; PostgreSQL keeps them.

INSERT INTO figure_imports (at, actor, file_name, stored, values_received, values_changed, report)
SELECT MIN(recorded_at), 'migration 0005', 'values recorded without an import', TRUE, COUNT(*), COUNT(*), '{}'
FROM figure_values WHERE import_id IS NULL HAVING COUNT(*) > 0;

UPDATE figure_values SET import_id = (SELECT MAX(id) FROM figure_imports WHERE actor = 'migration 0005')
WHERE import_id IS NULL;

ALTER TABLE figure_values DROP COLUMN recorded_at;
ALTER TABLE figure_values ALTER COLUMN import_id SET NOT NULL;
