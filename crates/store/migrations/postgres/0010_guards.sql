-- Guards against two changes at once (issue 11, PostgreSQL races), kept by the database itself:
-- * `version` counts the changes of an appeal, a work order and a key project. Every change is an
--   `UPDATE ... WHERE id = ? AND version = ?` that adds one, so of two steps decided on the same state only the
--   first is written and the other answers 409; a client may also send the version it saw.
-- * One park chief per park and one chain-level chain chief (分链长) per chain whose post has no end date. A partial
--   index cannot say "ends in the future" (its condition may not depend on today), so "current" is represented as
--   "no end date yet": a handover sets the old post's `ends_on` before the new one is saved. Overlaps with posts
--   that have end dates are checked in the write transaction, under a lock on the park's or chain's row.
-- A database that already holds two open-ended chiefs of one park (`chainpark check` names them) stops here with
-- a unique-constraint error; end or archive one of the two posts and migrate again.

ALTER TABLE appeals ADD COLUMN version BIGINT NOT NULL DEFAULT 1;
ALTER TABLE work_orders ADD COLUMN version BIGINT NOT NULL DEFAULT 1;
ALTER TABLE projects ADD COLUMN version BIGINT NOT NULL DEFAULT 1;

CREATE UNIQUE INDEX posts_one_open_park_chief ON posts (park_id)
    WHERE role = 'park_chief' AND ends_on IS NULL AND archived = FALSE;
CREATE UNIQUE INDEX posts_one_open_chain_chief ON posts (chain_id)
    WHERE role = 'chain_chief' AND chief_level = 'chain' AND ends_on IS NULL AND archived = FALSE;
