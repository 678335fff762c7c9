-- Divisions whose full resync has begun but not finished: the next run continues it as a full
-- resync (read everything, then remove the rows not seen), even after a crash or a cancel.
CREATE TABLE full_resyncs (
    division INTEGER PRIMARY KEY,
    started_ms INTEGER NOT NULL
);
