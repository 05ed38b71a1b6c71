-- The chiefs' daily work: enterprise appeals with their routing rules and steps, key projects with signing
-- events, investment and milestones, digital-transformation projects and recognitions, park work orders, the
-- personal inbox and the mail outbox, and holiday calendars loaded by an admin. Money in 万元 (10,000 yuan).

CREATE TABLE appeal_rules (
    id         INTEGER PRIMARY KEY,
    category   TEXT NOT NULL,
    chain_id   INTEGER REFERENCES chains(id),
    park_id    INTEGER REFERENCES parks(id),
    target     TEXT NOT NULL CHECK (target IN ('chain_task_force', 'chain_chief', 'park_chief', 'park_staff', 'person')),
    person_id  INTEGER REFERENCES people(id),
    note       TEXT NOT NULL DEFAULT '',
    archived   BOOLEAN NOT NULL DEFAULT FALSE,
    updated_at TEXT NOT NULL
);

CREATE TABLE appeals (
    id                     INTEGER PRIMARY KEY,
    enterprise_id          INTEGER NOT NULL REFERENCES enterprises(id),
    category               TEXT NOT NULL,
    urgency                TEXT NOT NULL CHECK (urgency IN ('normal', 'urgent')),
    complex                BOOLEAN NOT NULL DEFAULT FALSE,
    title                  TEXT NOT NULL,
    description            TEXT NOT NULL DEFAULT '',
    chain_id               INTEGER REFERENCES chains(id),
    park_id                INTEGER REFERENCES parks(id),
    status                 TEXT NOT NULL CHECK (status IN ('submitted', 'accepted', 'assigned', 'handling', 'replied', 'closed')),
    filed_at               TEXT NOT NULL,
    filed_by               TEXT NOT NULL,
    received_on            TEXT NOT NULL,
    limit_days             INTEGER NOT NULL,
    accept_due             TEXT NOT NULL,
    reply_due              TEXT NOT NULL,
    rule_id                INTEGER REFERENCES appeal_rules(id),
    route_chain_id         INTEGER REFERENCES chains(id),
    route_park_id          INTEGER REFERENCES parks(id),
    handler_person_id      INTEGER REFERENCES people(id),
    assignee_person_id     INTEGER REFERENCES people(id),
    escalated_to_person_id INTEGER REFERENCES people(id),
    escalated_at           TEXT,
    accepted_at            TEXT,
    replied_at             TEXT,
    replied_on             TEXT,
    closed_at              TEXT,
    reply                  TEXT NOT NULL DEFAULT '',
    satisfied              BOOLEAN,
    rating                 INTEGER,
    reopen_count           INTEGER NOT NULL DEFAULT 0,
    last_step_at           TEXT NOT NULL,
    updated_at             TEXT NOT NULL
);
CREATE INDEX appeals_enterprise ON appeals(enterprise_id);
CREATE INDEX appeals_chain ON appeals(chain_id);
CREATE INDEX appeals_park ON appeals(park_id);
CREATE INDEX appeals_status ON appeals(status, reply_due);

-- The steps of appeals and work orders, in order: who did what, when.
CREATE TABLE case_steps (
    id          INTEGER PRIMARY KEY,
    object_kind TEXT NOT NULL,
    object_id   INTEGER NOT NULL,
    at          TEXT NOT NULL,
    actor       TEXT NOT NULL,
    action      TEXT NOT NULL,
    from_status TEXT NOT NULL,
    to_status   TEXT NOT NULL,
    person_id   INTEGER REFERENCES people(id),
    note        TEXT NOT NULL DEFAULT ''
);
CREATE INDEX case_steps_object ON case_steps(object_kind, object_id);

CREATE TABLE signing_events (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL,
    name_en    TEXT NOT NULL DEFAULT '',
    held_on    TEXT NOT NULL,
    place      TEXT NOT NULL DEFAULT '',
    archived   BOOLEAN NOT NULL DEFAULT FALSE,
    updated_at TEXT NOT NULL
);

CREATE TABLE projects (
    id                    INTEGER PRIMARY KEY,
    name                  TEXT NOT NULL,
    name_en               TEXT NOT NULL DEFAULT '',
    investor              TEXT NOT NULL,
    enterprise_id         INTEGER REFERENCES enterprises(id),
    planned_investment    INTEGER NOT NULL DEFAULT 0,
    contracted_investment INTEGER NOT NULL DEFAULT 0,
    chain_id              INTEGER REFERENCES chains(id),
    segment_id            INTEGER REFERENCES segments(id),
    park_id               INTEGER REFERENCES parks(id),
    chief_person_id       INTEGER REFERENCES people(id),
    officer_person_id     INTEGER REFERENCES people(id),
    event_id              INTEGER REFERENCES signing_events(id),
    stage                 TEXT NOT NULL,
    lead_on               TEXT,
    visit_on              TEXT,
    negotiation_on        TEXT,
    signed_on             TEXT,
    registered_on         TEXT,
    started_on            TEXT,
    production_on         TEXT,
    capacity_on           TEXT,
    archived              BOOLEAN NOT NULL DEFAULT FALSE,
    updated_at            TEXT NOT NULL
);
CREATE INDEX projects_chain ON projects(chain_id);
CREATE INDEX projects_park ON projects(park_id);
CREATE INDEX projects_event ON projects(event_id);

-- Investment completed in a month (yyyymm), and the plan for a year.
CREATE TABLE project_investments (
    project_id INTEGER NOT NULL REFERENCES projects(id),
    month      INTEGER NOT NULL,
    amount     INTEGER NOT NULL,
    PRIMARY KEY (project_id, month)
);

CREATE TABLE project_plans (
    project_id INTEGER NOT NULL REFERENCES projects(id),
    year       INTEGER NOT NULL,
    amount     INTEGER NOT NULL,
    PRIMARY KEY (project_id, year)
);

CREATE TABLE milestones (
    id         INTEGER PRIMARY KEY,
    project_id INTEGER NOT NULL REFERENCES projects(id),
    name       TEXT NOT NULL,
    due_on     TEXT NOT NULL,
    done_on    TEXT,
    updated_at TEXT NOT NULL
);
CREATE INDEX milestones_project ON milestones(project_id);

CREATE TABLE transformation_projects (
    id            INTEGER PRIMARY KEY,
    enterprise_id INTEGER NOT NULL REFERENCES enterprises(id),
    name          TEXT NOT NULL,
    investment    INTEGER NOT NULL,
    started_on    TEXT NOT NULL,
    completed_on  TEXT,
    archived      BOOLEAN NOT NULL DEFAULT FALSE,
    updated_at    TEXT NOT NULL
);
CREATE INDEX transformation_projects_enterprise ON transformation_projects(enterprise_id);

-- Recognised digital workshops (数字化车间) and intelligent factories (智能工厂) with the criteria recorded.
CREATE TABLE recognitions (
    id                   INTEGER PRIMARY KEY,
    enterprise_id        INTEGER NOT NULL REFERENCES enterprises(id),
    kind                 TEXT NOT NULL CHECK (kind IN ('digital_workshop', 'intelligent_factory')),
    name                 TEXT NOT NULL,
    recognised_on        TEXT NOT NULL,
    investment           INTEGER NOT NULL,
    cnc_rate_pct         INTEGER NOT NULL,
    key_process_cnc_pct  INTEGER NOT NULL,
    has_mes              BOOLEAN NOT NULL,
    cost_reduction_pct   INTEGER NOT NULL,
    efficiency_gain_pct  INTEGER NOT NULL,
    defect_reduction_pct INTEGER NOT NULL,
    energy_gain_pct      INTEGER NOT NULL,
    archived             BOOLEAN NOT NULL DEFAULT FALSE,
    updated_at           TEXT NOT NULL
);
CREATE INDEX recognitions_enterprise ON recognitions(enterprise_id);

CREATE TABLE factory_workshops (
    factory_id  INTEGER NOT NULL REFERENCES recognitions(id),
    workshop_id INTEGER NOT NULL REFERENCES recognitions(id),
    PRIMARY KEY (factory_id, workshop_id)
);

CREATE TABLE work_orders (
    id                     INTEGER PRIMARY KEY,
    park_id                INTEGER NOT NULL REFERENCES parks(id),
    facility               TEXT NOT NULL,
    kind                   TEXT NOT NULL,
    urgency                TEXT NOT NULL,
    title                  TEXT NOT NULL,
    description            TEXT NOT NULL DEFAULT '',
    status                 TEXT NOT NULL,
    created_at             TEXT NOT NULL,
    created_by             TEXT NOT NULL,
    due_at                 TEXT NOT NULL,
    assignee_person_id     INTEGER REFERENCES people(id),
    escalated_to_person_id INTEGER REFERENCES people(id),
    escalated_at           TEXT,
    done_at                TEXT,
    closed_at              TEXT,
    last_step_at           TEXT NOT NULL,
    updated_at             TEXT NOT NULL
);
CREATE INDEX work_orders_park ON work_orders(park_id, status);

-- A person's inbox; each message may also go out by e-mail through the outbox.
CREATE TABLE notifications (
    id          INTEGER PRIMARY KEY,
    person_id   INTEGER NOT NULL REFERENCES people(id),
    kind        TEXT NOT NULL,
    subject     TEXT NOT NULL,
    body        TEXT NOT NULL,
    object_kind TEXT NOT NULL,
    object_id   INTEGER NOT NULL,
    created_at  TEXT NOT NULL,
    read_at     TEXT
);
CREATE INDEX notifications_person ON notifications(person_id, read_at);

-- Mail waiting to be sent; a failed send stays here and is tried again later, so nothing is lost.
CREATE TABLE mail_outbox (
    id              INTEGER PRIMARY KEY,
    notification_id INTEGER NOT NULL REFERENCES notifications(id),
    to_address      TEXT NOT NULL,
    subject         TEXT NOT NULL,
    body            TEXT NOT NULL,
    created_at      TEXT NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,
    sent_at         TEXT,
    last_error      TEXT NOT NULL DEFAULT ''
);
CREATE INDEX mail_outbox_due ON mail_outbox(sent_at, next_attempt_at);

-- Years of holidays and make-up working days loaded by an admin, on top of the calendar shipped in the program.
CREATE TABLE calendar_days (
    day  TEXT PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('holiday', 'workday')),
    name TEXT NOT NULL
);
