-- Why a property is left out of an entity's reads: 'refused' (Exact refused it in $select) or
-- 'too_large' (a page failed as one too large for Exact to serve would, and the read went
-- through without the entity's large text properties). Both are asked again by a full resync.
ALTER TABLE excluded_properties ADD COLUMN cause TEXT NOT NULL DEFAULT 'refused';

-- The properties of `without` left out as too large, comma-separated.
ALTER TABLE sync_run_entities ADD COLUMN too_large TEXT NOT NULL DEFAULT '';
