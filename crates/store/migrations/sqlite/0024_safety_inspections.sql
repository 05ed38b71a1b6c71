-- Park operations (issue 17): safety inspections. A plan says what is inspected in a park (or one of its
-- buildings) and every how many days, with its checklist; an inspection done records a finding per checklist item
-- and photos (the bytes in the store, at most 5 MiB each, JPEG/PNG/WebP); a failed item records a hazard with its
-- level and a deadline counted in working days, rectified through a work order and closed by a passing re-check.

CREATE TABLE inspection_plans (
    id          INTEGER PRIMARY KEY,
    park_id     INTEGER NOT NULL REFERENCES parks(id),
    building_id INTEGER REFERENCES buildings(id),
    title       TEXT NOT NULL,
    every_days  INTEGER NOT NULL CHECK (every_days BETWEEN 1 AND 366),
    starts_on   TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);
CREATE INDEX inspection_plans_park ON inspection_plans(park_id);

CREATE TABLE checklist_items (
    id       INTEGER PRIMARY KEY,
    plan_id  INTEGER NOT NULL REFERENCES inspection_plans(id),
    position INTEGER NOT NULL CHECK (position >= 1),
    text     TEXT NOT NULL,
    UNIQUE (plan_id, position)
);

CREATE TABLE inspections (
    id           INTEGER PRIMARY KEY,
    plan_id      INTEGER NOT NULL REFERENCES inspection_plans(id),
    park_id      INTEGER NOT NULL REFERENCES parks(id),
    inspector    TEXT NOT NULL,
    recorded_by  TEXT NOT NULL,
    inspected_at TEXT NOT NULL,
    inspected_on TEXT NOT NULL,
    created_at   TEXT NOT NULL
);
CREATE INDEX inspections_plan ON inspections(plan_id, inspected_at);
CREATE INDEX inspections_park ON inspections(park_id, inspected_at);

CREATE TABLE inspection_findings (
    inspection_id INTEGER NOT NULL REFERENCES inspections(id),
    item_id       INTEGER NOT NULL REFERENCES checklist_items(id),
    result        TEXT NOT NULL CHECK (result IN ('pass', 'fail', 'not_applicable')),
    note          TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (inspection_id, item_id)
);

CREATE TABLE hazards (
    id                INTEGER PRIMARY KEY,
    park_id           INTEGER NOT NULL REFERENCES parks(id),
    building_id       INTEGER REFERENCES buildings(id),
    inspection_id     INTEGER NOT NULL REFERENCES inspections(id),
    item_id           INTEGER NOT NULL REFERENCES checklist_items(id),
    level             TEXT NOT NULL CHECK (level IN ('general', 'major', 'grave')),
    description       TEXT NOT NULL,
    found_on          TEXT NOT NULL,
    working_days      INTEGER NOT NULL CHECK (working_days BETWEEN 1 AND 60),
    deadline          TEXT NOT NULL,
    provisional_year  INTEGER,
    status            TEXT NOT NULL CHECK (status IN ('open', 'rectifying', 'closed')),
    work_order_id     INTEGER REFERENCES work_orders(id),
    closed_at         TEXT,
    version           INTEGER NOT NULL DEFAULT 1,
    created_at        TEXT NOT NULL,
    updated_at        TEXT NOT NULL,
    UNIQUE (inspection_id, item_id)
);
CREATE INDEX hazards_park ON hazards(park_id, status);

CREATE TABLE hazard_rechecks (
    id            INTEGER PRIMARY KEY,
    hazard_id     INTEGER NOT NULL REFERENCES hazards(id),
    work_order_id INTEGER NOT NULL REFERENCES work_orders(id),
    checked_at    TEXT NOT NULL,
    checked_by    TEXT NOT NULL,
    passed        BOOLEAN NOT NULL,
    note          TEXT NOT NULL DEFAULT ''
);
CREATE INDEX hazard_rechecks_hazard ON hazard_rechecks(hazard_id, checked_at);

CREATE TABLE inspection_photos (
    id            INTEGER PRIMARY KEY,
    inspection_id INTEGER NOT NULL REFERENCES inspections(id),
    item_id       INTEGER REFERENCES checklist_items(id),
    content_type  TEXT NOT NULL CHECK (content_type IN ('image/jpeg', 'image/png', 'image/webp')),
    size          INTEGER NOT NULL CHECK (size BETWEEN 1 AND 5242880),
    data          BLOB NOT NULL,
    uploaded_at   TEXT NOT NULL,
    uploaded_by   TEXT NOT NULL
);
CREATE INDEX inspection_photos_inspection ON inspection_photos(inspection_id);

-- The park's monthly report mailed to its chief on the admin's schedule: one mailing per schedule and month (the
-- key), and the workbook attached to the mail in the outbox.
CREATE TABLE report_schedules (
    id           INTEGER PRIMARY KEY,
    park_id      INTEGER NOT NULL REFERENCES parks(id),
    day_of_month INTEGER NOT NULL CHECK (day_of_month BETWEEN 1 AND 28),
    created_at   TEXT NOT NULL,
    created_by   TEXT NOT NULL,
    archived     BOOLEAN NOT NULL DEFAULT FALSE
);

CREATE TABLE report_mailings (
    schedule_id INTEGER NOT NULL REFERENCES report_schedules(id),
    month       INTEGER NOT NULL,
    person_id   INTEGER NOT NULL REFERENCES people(id),
    outbox_id   INTEGER REFERENCES mail_outbox(id),
    mailed_at   TEXT NOT NULL,
    PRIMARY KEY (schedule_id, month)
);

CREATE TABLE mail_attachments (
    id           INTEGER PRIMARY KEY,
    outbox_id    INTEGER NOT NULL REFERENCES mail_outbox(id),
    filename     TEXT NOT NULL,
    content_type TEXT NOT NULL,
    data         BLOB NOT NULL
);
CREATE INDEX mail_attachments_outbox ON mail_attachments(outbox_id);
