-- Properties Exact refused in an entity's $select (a licence, an older database or a missing
-- right can make it refuse a documented property, and one refused property fails the whole
-- call). The engine leaves them out of that entity's reads in the division and says so, until
-- a full resync asks for them again.
CREATE TABLE excluded_properties (
    division INTEGER NOT NULL,
    entity TEXT NOT NULL,
    property TEXT NOT NULL,
    reason TEXT NOT NULL,
    since_ms INTEGER NOT NULL,
    PRIMARY KEY (division, entity, property)
) WITHOUT ROWID;

-- The properties an entity was read without in a run, comma-separated.
ALTER TABLE sync_run_entities ADD COLUMN without TEXT NOT NULL DEFAULT '';
