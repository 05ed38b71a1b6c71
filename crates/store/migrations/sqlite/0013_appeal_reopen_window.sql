-- The last day on which the enterprise may re-open a closed appeal, set when the appeal is closed (the configured
-- number of working days after the day of closing). Appeals closed before this version have none and are not
-- re-opened: the enterprise files a new appeal.
ALTER TABLE appeals ADD COLUMN reopen_until TEXT;
