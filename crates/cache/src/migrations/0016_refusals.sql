-- Endpoints Exact refused (a 4xx other than 401 and 429), resting until `until_ms` (epoch ms)
-- with Exact's reason. Exact blocks an app after ten errors per endpoint per hour, longer when
-- it happens again; a rest kept only in memory was forgotten by every new process (a sync run
-- from cron every few minutes asked the refused endpoint again each time), so it is stored
-- here. One row per division and entity (an entity name as in `cursors`); it leaves when the
-- entity syncs again, and an expired row is ignored until then.
CREATE TABLE refusals (
    division INTEGER NOT NULL,
    entity TEXT NOT NULL,
    until_ms INTEGER NOT NULL,
    reason TEXT NOT NULL,
    PRIMARY KEY (division, entity)
) WITHOUT ROWID;
