-- The mapping from GB/T 4754 codes to NBS 2021 digital-economy categories in force. Each load is kept; the latest
-- row is in force, and a row without `mapping` (or no row at all) means the mapping shipped with the program.
CREATE TABLE digital_economy_maps (
    id        INTEGER PRIMARY KEY,
    loaded_at TEXT NOT NULL,
    actor     TEXT NOT NULL,
    file_name TEXT NOT NULL DEFAULT '',
    -- The mapping as CSV (gbt4754_code,category,mid_class,note), exactly as chainpark writes it out.
    mapping   TEXT
);
