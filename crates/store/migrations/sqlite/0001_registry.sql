-- The zone's registry: areas, chains and segments, people and posts, parks, enterprises, and the audit trail.

CREATE TABLE industry_areas (
    id          INTEGER PRIMARY KEY,
    code        TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL,
    name_en     TEXT NOT NULL DEFAULT '',
    description TEXT NOT NULL DEFAULT '',
    archived    BOOLEAN NOT NULL DEFAULT FALSE,
    updated_at  TEXT NOT NULL
);

CREATE TABLE chains (
    id          INTEGER PRIMARY KEY,
    area_id     INTEGER NOT NULL REFERENCES industry_areas(id),
    code        TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL,
    name_en     TEXT NOT NULL DEFAULT '',
    description TEXT NOT NULL DEFAULT '',
    archived    BOOLEAN NOT NULL DEFAULT FALSE,
    updated_at  TEXT NOT NULL
);

CREATE TABLE segments (
    id             INTEGER PRIMARY KEY,
    chain_id       INTEGER NOT NULL REFERENCES chains(id),
    parent_id      INTEGER REFERENCES segments(id),
    code           TEXT NOT NULL UNIQUE,
    name           TEXT NOT NULL,
    name_en        TEXT NOT NULL DEFAULT '',
    stage          TEXT NOT NULL CHECK (stage IN ('upstream', 'midstream', 'downstream')),
    position       INTEGER NOT NULL DEFAULT 0,
    industry_codes TEXT NOT NULL DEFAULT '',
    archived       BOOLEAN NOT NULL DEFAULT FALSE,
    updated_at     TEXT NOT NULL
);
CREATE INDEX segments_chain ON segments(chain_id);

CREATE TABLE supply_links (
    id              INTEGER PRIMARY KEY,
    from_segment_id INTEGER NOT NULL REFERENCES segments(id),
    to_segment_id   INTEGER NOT NULL REFERENCES segments(id),
    note            TEXT NOT NULL DEFAULT '',
    archived        BOOLEAN NOT NULL DEFAULT FALSE,
    updated_at      TEXT NOT NULL,
    UNIQUE (from_segment_id, to_segment_id)
);

CREATE TABLE people (
    id           INTEGER PRIMARY KEY,
    name         TEXT NOT NULL,
    title        TEXT NOT NULL DEFAULT '',
    organisation TEXT NOT NULL DEFAULT '',
    phone        TEXT NOT NULL DEFAULT '',
    email        TEXT NOT NULL DEFAULT '',
    archived     BOOLEAN NOT NULL DEFAULT FALSE,
    updated_at   TEXT NOT NULL
);

CREATE TABLE parks (
    id                  INTEGER PRIMARY KEY,
    area_id             INTEGER NOT NULL REFERENCES industry_areas(id),
    code                TEXT NOT NULL UNIQUE,
    name                TEXT NOT NULL,
    name_en             TEXT NOT NULL DEFAULT '',
    district            TEXT NOT NULL,
    land_area_centi_mu  INTEGER NOT NULL,
    lon                 REAL,
    lat                 REAL,
    outline             TEXT,
    archived            BOOLEAN NOT NULL DEFAULT FALSE,
    updated_at          TEXT NOT NULL
);

CREATE TABLE enterprises (
    id            INTEGER PRIMARY KEY,
    credit_code   TEXT NOT NULL UNIQUE,
    name          TEXT NOT NULL,
    name_en       TEXT NOT NULL DEFAULT '',
    -- Pinyin initials of the name, for search by initials (长安 → ca).
    name_initials TEXT NOT NULL DEFAULT '',
    industry_code TEXT NOT NULL,
    district      TEXT NOT NULL,
    park_id       INTEGER REFERENCES parks(id),
    above_size    BOOLEAN NOT NULL DEFAULT FALSE,
    high_tech     BOOLEAN NOT NULL DEFAULT FALSE,
    is_leading    BOOLEAN NOT NULL DEFAULT FALSE,
    founded_on    TEXT,
    status        TEXT NOT NULL CHECK (status IN ('active', 'moved_out', 'closed')),
    contact_name  TEXT NOT NULL DEFAULT '',
    phone         TEXT NOT NULL DEFAULT '',
    email         TEXT NOT NULL DEFAULT '',
    address       TEXT NOT NULL DEFAULT '',
    archived      BOOLEAN NOT NULL DEFAULT FALSE,
    updated_at    TEXT NOT NULL
);
CREATE INDEX enterprises_park ON enterprises(park_id);
CREATE INDEX enterprises_name ON enterprises(name);

CREATE TABLE enterprise_segments (
    enterprise_id INTEGER NOT NULL REFERENCES enterprises(id),
    segment_id    INTEGER NOT NULL REFERENCES segments(id),
    PRIMARY KEY (enterprise_id, segment_id)
);
CREATE INDEX enterprise_segments_segment ON enterprise_segments(segment_id);

CREATE TABLE posts (
    id            INTEGER PRIMARY KEY,
    person_id     INTEGER NOT NULL REFERENCES people(id),
    role          TEXT NOT NULL,
    chain_id      INTEGER REFERENCES chains(id),
    park_id       INTEGER REFERENCES parks(id),
    enterprise_id INTEGER REFERENCES enterprises(id),
    chief_level   TEXT,
    owner_kind    TEXT,
    title         TEXT NOT NULL DEFAULT '',
    starts_on     TEXT NOT NULL,
    ends_on       TEXT,
    archived      BOOLEAN NOT NULL DEFAULT FALSE,
    updated_at    TEXT NOT NULL,
    CHECK (ends_on IS NULL OR ends_on >= starts_on)
);
CREATE INDEX posts_person ON posts(person_id);
CREATE INDEX posts_chain ON posts(chain_id);
CREATE INDEX posts_park ON posts(park_id);

CREATE TABLE audit_log (
    id          INTEGER PRIMARY KEY,
    at          TEXT NOT NULL,
    actor       TEXT NOT NULL,
    object_kind TEXT NOT NULL,
    object_id   INTEGER NOT NULL,
    action      TEXT NOT NULL,
    before      TEXT,
    after       TEXT
);
CREATE INDEX audit_object ON audit_log(object_kind, object_id);
