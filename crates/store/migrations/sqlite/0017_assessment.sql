-- Per-mu efficiency evaluation (亩均效益评价): land parcels and leases of standard factory space with their history,
-- evaluation schemes as data with versions, and the runs that evaluate a year under a scheme with every firm's
-- result. Land in hundredths of a mu, floor space in hundredths of a square metre, rent in fen.

-- A land parcel (地块) as it is now. `holder_enterprise_id` is the current holder (none: the park's own land);
-- earlier states of the parcel are in land_parcel_versions.
CREATE TABLE land_parcels (
    id                   INTEGER PRIMARY KEY,
    code                 TEXT NOT NULL UNIQUE,
    park_id              INTEGER NOT NULL REFERENCES parks(id),
    holder_enterprise_id INTEGER REFERENCES enterprises(id),
    area_mu_centi        INTEGER NOT NULL CHECK (area_mu_centi > 0),
    land_use             TEXT NOT NULL,
    valid_from           TEXT NOT NULL,
    valid_to             TEXT,
    -- A GeoJSON geometry (Polygon), drawn on the park map when present.
    outline              TEXT,
    archived             BOOLEAN NOT NULL DEFAULT FALSE,
    updated_at           TEXT NOT NULL,
    CHECK (valid_to IS NULL OR valid_to >= valid_from)
);
CREATE INDEX land_parcels_park ON land_parcels(park_id);
CREATE INDEX land_parcels_holder ON land_parcels(holder_enterprise_id);

-- Each earlier state of a parcel, kept when a change (a new holder, a new area) takes effect: what held from
-- valid_from to valid_to. The evaluated area of a past year reads these as well as the current rows.
CREATE TABLE land_parcel_versions (
    id                   INTEGER PRIMARY KEY,
    parcel_id            INTEGER NOT NULL REFERENCES land_parcels(id),
    holder_enterprise_id INTEGER REFERENCES enterprises(id),
    area_mu_centi        INTEGER NOT NULL,
    land_use             TEXT NOT NULL,
    valid_from           TEXT NOT NULL,
    valid_to             TEXT NOT NULL,
    superseded_at        TEXT NOT NULL
);
CREATE INDEX land_parcel_versions_parcel ON land_parcel_versions(parcel_id);
CREATE INDEX land_parcel_versions_holder ON land_parcel_versions(holder_enterprise_id);

-- A lease of standard factory space (标准厂房): one row per contract. `unit_id` names the leased unit of a
-- building once park operations keep units; it has no foreign key here (units come with park operations).
CREATE TABLE leases (
    id               INTEGER PRIMARY KEY,
    code             TEXT NOT NULL UNIQUE,
    enterprise_id    INTEGER NOT NULL REFERENCES enterprises(id),
    park_id          INTEGER NOT NULL REFERENCES parks(id),
    unit_id          INTEGER,
    area_m2_centi    INTEGER NOT NULL CHECK (area_m2_centi > 0),
    monthly_rent_fen INTEGER CHECK (monthly_rent_fen IS NULL OR monthly_rent_fen >= 0),
    valid_from       TEXT NOT NULL,
    valid_to         TEXT,
    archived         BOOLEAN NOT NULL DEFAULT FALSE,
    updated_at       TEXT NOT NULL,
    CHECK (valid_to IS NULL OR valid_to >= valid_from)
);
CREATE INDEX leases_enterprise ON leases(enterprise_id);
CREATE INDEX leases_park ON leases(park_id);
CREATE INDEX leases_unit ON leases(unit_id);

-- An evaluation scheme: one version of it. The rules (populations, indicators, weights, benchmarks, caps, missing
-- data, classes, exemptions, the policy of each class) are a JSON document that chainpark_core::assessment reads.
-- A version that a run used is never changed: editing it makes the next version.
CREATE TABLE assessment_schemes (
    id          INTEGER PRIMARY KEY,
    code        TEXT NOT NULL,
    version     INTEGER NOT NULL CHECK (version >= 1),
    name        TEXT NOT NULL,
    name_en     TEXT NOT NULL DEFAULT '',
    year        INTEGER NOT NULL,
    body        TEXT NOT NULL,
    based_on_id INTEGER REFERENCES assessment_schemes(id),
    archived    BOOLEAN NOT NULL DEFAULT FALSE,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    UNIQUE (code, version)
);

-- One evaluation of a year under one scheme version, with the data vintage it read (figures as known at
-- data_as_of) and, for a re-run, the run it repeats. `summary` holds the park and district results (JSON).
CREATE TABLE assessment_runs (
    id              INTEGER PRIMARY KEY,
    scheme_id       INTEGER NOT NULL REFERENCES assessment_schemes(id),
    year            INTEGER NOT NULL,
    data_as_of      TEXT NOT NULL,
    ran_at          TEXT NOT NULL,
    actor           TEXT NOT NULL,
    previous_run_id INTEGER REFERENCES assessment_runs(id),
    firms           INTEGER NOT NULL,
    summary         TEXT NOT NULL
);
CREATE INDEX assessment_runs_scheme ON assessment_runs(scheme_id);

-- Every firm's result of a run: its population, park and evaluated area, total score (hundredths of a point),
-- rank and class, and `detail` (JSON): each indicator's inputs, value, benchmark, points and how they were reached.
CREATE TABLE assessment_results (
    run_id        INTEGER NOT NULL REFERENCES assessment_runs(id),
    enterprise_id INTEGER NOT NULL REFERENCES enterprises(id),
    population    TEXT NOT NULL,
    park_id       INTEGER REFERENCES parks(id),
    area_mu_centi INTEGER NOT NULL,
    score_centi   INTEGER NOT NULL,
    rank          INTEGER,
    class         TEXT NOT NULL CHECK (class IN ('A', 'B', 'C', 'D', 'T')),
    detail        TEXT NOT NULL,
    PRIMARY KEY (run_id, enterprise_id)
);
CREATE INDEX assessment_results_enterprise ON assessment_results(enterprise_id);
CREATE INDEX assessment_results_park ON assessment_results(run_id, park_id);
