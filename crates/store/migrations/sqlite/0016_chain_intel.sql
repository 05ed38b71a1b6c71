-- Chain intelligence (issue 15): what the diagnosis of a chain reads besides the registry and the figures.
-- * segment_weights: the importance of a segment in its chain's completeness, set by the chain's staff, in
--   hundredths (no row: 100, i.e. weight 1).
-- * enterprise_tenures: when a firm settled in the zone and, once it left, when it left — so that a chain's health
--   on a past month counts only the firms that were there. No row: in the zone since before records began.
-- * reference_tables / reference_values: output or employment of a reference region by GB/T 4754 code, with its
--   source and year, for location quotients; `total` is the region's total over all codes.

CREATE TABLE segment_weights (
    segment_id INTEGER PRIMARY KEY REFERENCES segments(id),
    weight     INTEGER NOT NULL CHECK (weight >= 0),
    updated_at TEXT NOT NULL
);

CREATE TABLE enterprise_tenures (
    enterprise_id INTEGER PRIMARY KEY REFERENCES enterprises(id),
    settled_on    TEXT NOT NULL,
    left_on       TEXT,
    updated_at    TEXT NOT NULL,
    CHECK (left_on IS NULL OR left_on > settled_on)
);

CREATE TABLE reference_tables (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL,
    region      TEXT NOT NULL,
    measure     TEXT NOT NULL CHECK (measure IN ('gross_output', 'operating_revenue', 'employees')),
    year        INTEGER NOT NULL,
    source      TEXT NOT NULL,
    total       INTEGER NOT NULL CHECK (total > 0),
    file_name   TEXT NOT NULL DEFAULT '',
    imported_at TEXT NOT NULL,
    actor       TEXT NOT NULL
);

CREATE TABLE reference_values (
    reference_id  INTEGER NOT NULL REFERENCES reference_tables(id),
    industry_code TEXT NOT NULL,
    value         INTEGER NOT NULL CHECK (value >= 0),
    PRIMARY KEY (reference_id, industry_code)
);
