-- Full-text rows of upserted items and accounts, and accounts' contact names, are now written by
-- the cache after each batch's row upserts (same transaction) instead of by row triggers.
-- Why: FTS5 flushes its pending terms on every statement savepoint, and each upsert whose
-- trigger touches the index opened one, so every row became its own index segment (half the
-- cost of a first sync). Deletions keep their triggers: one DELETE statement covers many rows.

DROP TRIGGER items_fts_insert;
DROP TRIGGER items_fts_update;
DROP TRIGGER accounts_fts_insert;
DROP TRIGGER accounts_fts_update;
DROP TRIGGER contacts_names_insert;
DROP TRIGGER contacts_names_update;
DROP TRIGGER contacts_names_delete;
