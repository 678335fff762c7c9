-- A begun full resync remembers the generation its rows are marked with, so that an
-- interrupted one continues from its cursors instead of reading everything again. A mark from
-- an older version (no generation) is begun afresh.
ALTER TABLE full_resyncs ADD COLUMN generation INTEGER;
