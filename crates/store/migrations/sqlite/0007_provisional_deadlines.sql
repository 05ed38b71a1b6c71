-- Deadlines counted on weekdays in a year whose holiday calendar is not loaded are provisional until it is: the
-- year is kept with the case, and what the recount needs (where the reply limit counts from, a work order's
-- limit in working days). The reminder to load next year's calendar goes to admin accounts, which need not be
-- registry people, so a notification is addressed to a person or to an account.

ALTER TABLE appeals ADD COLUMN reply_from TEXT;
ALTER TABLE appeals ADD COLUMN provisional_year INTEGER;
ALTER TABLE work_orders ADD COLUMN limit_working_days INTEGER;
ALTER TABLE work_orders ADD COLUMN provisional_year INTEGER;

-- SQLite cannot drop NOT NULL in place: both tables are rebuilt (the outbox refers to the notifications), ids kept.
CREATE TABLE notifications_new (
    id          INTEGER PRIMARY KEY,
    person_id   INTEGER REFERENCES people(id),
    account_id  INTEGER REFERENCES accounts(id),
    kind        TEXT NOT NULL,
    subject     TEXT NOT NULL,
    body        TEXT NOT NULL,
    object_kind TEXT NOT NULL,
    object_id   INTEGER NOT NULL,
    created_at  TEXT NOT NULL,
    read_at     TEXT,
    CHECK (person_id IS NOT NULL OR account_id IS NOT NULL)
);
INSERT INTO notifications_new (id, person_id, kind, subject, body, object_kind, object_id, created_at, read_at)
    SELECT id, person_id, kind, subject, body, object_kind, object_id, created_at, read_at FROM notifications;

CREATE TABLE mail_outbox_new (
    id              INTEGER PRIMARY KEY,
    notification_id INTEGER NOT NULL REFERENCES notifications_new(id),
    to_address      TEXT NOT NULL,
    subject         TEXT NOT NULL,
    body            TEXT NOT NULL,
    created_at      TEXT NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,
    sent_at         TEXT,
    last_error      TEXT NOT NULL DEFAULT ''
);
INSERT INTO mail_outbox_new (id, notification_id, to_address, subject, body, created_at, attempts, next_attempt_at, sent_at, last_error)
    SELECT id, notification_id, to_address, subject, body, created_at, attempts, next_attempt_at, sent_at, last_error FROM mail_outbox;

DROP TABLE mail_outbox;
DROP TABLE notifications;
ALTER TABLE notifications_new RENAME TO notifications;
ALTER TABLE mail_outbox_new RENAME TO mail_outbox;
CREATE INDEX notifications_person ON notifications(person_id, read_at);
CREATE INDEX notifications_account ON notifications(account_id, read_at);
CREATE INDEX mail_outbox_due ON mail_outbox(sent_at, next_attempt_at);
