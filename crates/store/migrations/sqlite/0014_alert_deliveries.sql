-- Which alert (by its key, see chainpark_core::workflow::alerts) was told to which chief, and when: an alert
-- reaches a chief's inbox once, however often the delivery runs.
CREATE TABLE alert_deliveries (
    alert_key    TEXT NOT NULL,
    person_id    INTEGER NOT NULL REFERENCES people(id),
    delivered_at TEXT NOT NULL,
    PRIMARY KEY (alert_key, person_id)
);
