-- Chain attraction (issue 15): the candidate registry (招商目标库) and what the chain's staff do with it.
-- * candidates: firms outside the zone, one per credit code; `settled_enterprise_id` links a candidate that settled
--   to the local enterprise it became (the candidate row stays, with its history).
-- * candidate_segments / candidate_partners: the segments a candidate could serve, and the local enterprises it
--   already supplies or buys from.
-- * target_weights: a chain's weights of the target score's parts (no row: the defaults).
-- * target_marks: a chain's staff pin a candidate for a segment, or exclude it with a reason.
-- * target_leads: a target turned into a key project at stage "lead": candidate, gap segment and project linked.

CREATE TABLE candidates (
    id                    INTEGER PRIMARY KEY,
    credit_code           TEXT NOT NULL UNIQUE,
    name                  TEXT NOT NULL,
    province              TEXT NOT NULL,
    city                  TEXT NOT NULL DEFAULT '',
    industry_code         TEXT NOT NULL,
    revenue_band          TEXT CHECK (revenue_band IN ('under_100m', '100m_1b', '1b_10b', 'over_10b')),
    employees             INTEGER CHECK (employees >= 0),
    listed                BOOLEAN NOT NULL DEFAULT FALSE,
    growth_permille       INTEGER,
    distance_km           INTEGER CHECK (distance_km >= 0),
    source                TEXT NOT NULL,
    source_on             TEXT NOT NULL,
    settled_enterprise_id INTEGER REFERENCES enterprises(id),
    created_at            TEXT NOT NULL,
    updated_at            TEXT NOT NULL
);

CREATE TABLE candidate_segments (
    candidate_id INTEGER NOT NULL REFERENCES candidates(id),
    segment_id   INTEGER NOT NULL REFERENCES segments(id),
    PRIMARY KEY (candidate_id, segment_id)
);
CREATE INDEX candidate_segments_segment ON candidate_segments(segment_id);

CREATE TABLE candidate_partners (
    candidate_id  INTEGER NOT NULL REFERENCES candidates(id),
    enterprise_id INTEGER NOT NULL REFERENCES enterprises(id),
    PRIMARY KEY (candidate_id, enterprise_id)
);

CREATE TABLE target_weights (
    chain_id      INTEGER PRIMARY KEY REFERENCES chains(id),
    segment_match INTEGER NOT NULL CHECK (segment_match BETWEEN 0 AND 100),
    scale         INTEGER NOT NULL CHECK (scale BETWEEN 0 AND 100),
    growth        INTEGER NOT NULL CHECK (growth BETWEEN 0 AND 100),
    relations     INTEGER NOT NULL CHECK (relations BETWEEN 0 AND 100),
    distance      INTEGER NOT NULL CHECK (distance BETWEEN 0 AND 100),
    updated_at    TEXT NOT NULL
);

CREATE TABLE target_marks (
    segment_id      INTEGER NOT NULL REFERENCES segments(id),
    candidate_id    INTEGER NOT NULL REFERENCES candidates(id),
    pinned          BOOLEAN NOT NULL DEFAULT FALSE,
    excluded_reason TEXT,
    updated_at      TEXT NOT NULL,
    PRIMARY KEY (segment_id, candidate_id),
    CHECK (NOT (pinned AND excluded_reason IS NOT NULL))
);

CREATE TABLE target_leads (
    project_id   INTEGER PRIMARY KEY REFERENCES projects(id),
    candidate_id INTEGER NOT NULL REFERENCES candidates(id),
    segment_id   INTEGER NOT NULL REFERENCES segments(id),
    created_at   TEXT NOT NULL
);
CREATE INDEX target_leads_segment ON target_leads(segment_id);
