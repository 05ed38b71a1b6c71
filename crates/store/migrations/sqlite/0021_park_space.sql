-- Park operations (issue 17): a park's buildings and their units. The occupancy of a unit is the leases of
-- 0017_assessment that name it (`leases.unit_id`): the same rows the per-mu evaluation reads, not a copy. Areas in
-- hundredths of a square metre; a unit exists from valid_from to valid_to (its last day), so the vacancy of a past
-- day counts the units and leases in force then. Every change is in the audit trail.

CREATE TABLE buildings (
    id                  INTEGER PRIMARY KEY,
    code                TEXT NOT NULL UNIQUE,
    name                TEXT NOT NULL,
    park_id             INTEGER NOT NULL REFERENCES parks(id),
    floors              INTEGER NOT NULL CHECK (floors BETWEEN 1 AND 200),
    gross_area_m2_centi INTEGER NOT NULL CHECK (gross_area_m2_centi > 0),
    building_use        TEXT NOT NULL,
    built_year          INTEGER,
    created_at          TEXT NOT NULL,
    updated_at          TEXT NOT NULL
);
CREATE INDEX buildings_park ON buildings(park_id);

CREATE TABLE units (
    id            INTEGER PRIMARY KEY,
    building_id   INTEGER NOT NULL REFERENCES buildings(id),
    code          TEXT NOT NULL,
    floor         INTEGER NOT NULL,
    area_m2_centi INTEGER NOT NULL CHECK (area_m2_centi > 0),
    kind          TEXT NOT NULL CHECK (kind IN ('factory', 'office', 'lab', 'dormitory')),
    valid_from    TEXT NOT NULL,
    valid_to      TEXT,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
    UNIQUE (building_id, code),
    CHECK (valid_to IS NULL OR valid_to >= valid_from)
);
