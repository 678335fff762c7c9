-- Divisions, sync cursors and the record of sync runs.

CREATE TABLE divisions (
    code INTEGER PRIMARY KEY,
    description TEXT,
    -- DivisionMoveDate as last acted upon by the engine (raw text); set only by
    -- set_division_move_date, so that a changed value in system/Divisions can be detected.
    known_move_date TEXT,
    attributes TEXT
);

CREATE TABLE cursors (
    division INTEGER NOT NULL,
    -- An entity name ("Items") or "Deleted".
    cursor_key TEXT NOT NULL,
    timestamp INTEGER NOT NULL,
    updated_at_ms INTEGER NOT NULL,
    PRIMARY KEY (division, cursor_key)
) WITHOUT ROWID;

CREATE TABLE sync_runs (
    id INTEGER PRIMARY KEY,
    started_ms INTEGER NOT NULL,
    finished_ms INTEGER,
    trigger TEXT NOT NULL,
    outcome TEXT
);

CREATE TABLE sync_run_entities (
    run INTEGER NOT NULL REFERENCES sync_runs (id) ON DELETE CASCADE,
    division INTEGER NOT NULL,
    entity TEXT NOT NULL,
    rows_upserted INTEGER NOT NULL,
    rows_deleted INTEGER NOT NULL,
    calls INTEGER NOT NULL,
    error TEXT,
    PRIMARY KEY (run, division, entity)
) WITHOUT ROWID;

CREATE INDEX sync_run_entities_by_entity ON sync_run_entities (division, entity, run);
