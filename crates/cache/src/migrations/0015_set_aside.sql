-- Records Exact sent that the cache cannot store as they are (no key, a value of the wrong
-- type for a typed column, text that is not readable, too large), kept as sent so that the
-- user can see what is missing and why. One row per record: its key, or without one a hash of
-- its text. A row leaves when a valid version of the record is stored, when Exact's Deleted log
-- removes it, or when a full pass of its entity no longer sees it.
CREATE TABLE set_aside (
    division INTEGER NOT NULL,
    entity TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    record_key TEXT,
    reason TEXT NOT NULL,
    detail TEXT NOT NULL,
    -- As sent, cut to the first 64 KiB; `raw_bytes` is the whole length.
    raw TEXT NOT NULL,
    raw_bytes INTEGER NOT NULL,
    first_seen_ms INTEGER NOT NULL,
    last_seen_ms INTEGER NOT NULL,
    last_run INTEGER NOT NULL,
    PRIMARY KEY (division, entity, fingerprint)
) WITHOUT ROWID;

CREATE INDEX set_aside_by_key ON set_aside (division, entity, record_key);

-- How many records each entity set aside in a run.
ALTER TABLE sync_run_entities ADD COLUMN set_aside INTEGER NOT NULL DEFAULT 0;
