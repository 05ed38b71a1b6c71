-- Deadlines counted on weekdays in a year whose holiday calendar is not loaded are provisional until it is: the
-- year is kept with the case, and what the recount needs (where the reply limit counts from, a work order's
-- limit in working days). The reminder to load next year's calendar goes to admin accounts, which need not be
-- registry people, so a notification is addressed to a person or to an account.

ALTER TABLE appeals ADD COLUMN reply_from DATE, ADD COLUMN provisional_year INTEGER;
ALTER TABLE work_orders ADD COLUMN limit_working_days INTEGER, ADD COLUMN provisional_year INTEGER;

ALTER TABLE notifications
    ALTER COLUMN person_id DROP NOT NULL,
    ADD COLUMN account_id BIGINT REFERENCES accounts(id),
    ADD CONSTRAINT notifications_addressed CHECK (person_id IS NOT NULL OR account_id IS NOT NULL);
CREATE INDEX notifications_account ON notifications(account_id, read_at);
