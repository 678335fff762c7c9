-- Items with their groups and units, and the items full-text index.

CREATE TABLE items (
    division INTEGER NOT NULL,
    id TEXT NOT NULL,
    code TEXT,
    description TEXT,
    extra_description TEXT,
    search_code TEXT,
    barcode TEXT,
    item_group TEXT,
    item_group_code TEXT,
    item_group_description TEXT,
    unit TEXT,
    is_sales INTEGER NOT NULL DEFAULT 0,
    is_purchase INTEGER NOT NULL DEFAULT 0,
    is_stock INTEGER NOT NULL DEFAULT 0,
    stock REAL,
    cost_price REAL,
    picture_url TEXT,
    picture_name TEXT,
    has_picture INTEGER NOT NULL DEFAULT 0,
    modified_ms INTEGER,
    timestamp INTEGER,
    attributes TEXT NOT NULL,
    seen_generation INTEGER,
    PRIMARY KEY (division, id)
);
CREATE INDEX items_by_code ON items (division, code COLLATE NOCASE);
CREATE INDEX items_by_description ON items (division, description COLLATE NOCASE);
CREATE INDEX items_by_modified ON items (division, modified_ms);

CREATE TABLE item_groups (
    division INTEGER NOT NULL,
    id TEXT NOT NULL,
    code TEXT,
    description TEXT,
    modified_ms INTEGER,
    attributes TEXT NOT NULL,
    seen_generation INTEGER,
    PRIMARY KEY (division, id)
) WITHOUT ROWID;

CREATE TABLE units (
    division INTEGER NOT NULL,
    id TEXT NOT NULL,
    code TEXT,
    description TEXT,
    type TEXT,
    active INTEGER,
    attributes TEXT NOT NULL,
    seen_generation INTEGER,
    PRIMARY KEY (division, id)
) WITHOUT ROWID;
CREATE INDEX units_by_code ON units (division, code);

-- Contentless with delete support: the index holds no copy of the text, rows are replaced by
-- rowid (the items rowid), and the triggers below keep it in the writer's transaction.
CREATE VIRTUAL TABLE items_fts USING fts5 (
    code, description, extra_description, search_code, barcode, item_group,
    content = '', contentless_delete = 1,
    tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3'
);

CREATE TRIGGER items_fts_insert AFTER INSERT ON items BEGIN
    INSERT INTO items_fts (rowid, code, description, extra_description, search_code, barcode, item_group)
    VALUES (new.rowid, new.code, new.description, new.extra_description, new.search_code, new.barcode,
            concat_ws(' ', new.item_group_code, new.item_group_description));
END;

CREATE TRIGGER items_fts_delete AFTER DELETE ON items BEGIN
    DELETE FROM items_fts WHERE rowid = old.rowid;
END;

-- Only when an indexed text changed: re-upserting an unchanged item leaves the index alone.
CREATE TRIGGER items_fts_update AFTER UPDATE ON items
WHEN old.code IS NOT new.code OR old.description IS NOT new.description
  OR old.extra_description IS NOT new.extra_description OR old.search_code IS NOT new.search_code
  OR old.barcode IS NOT new.barcode OR old.item_group_code IS NOT new.item_group_code
  OR old.item_group_description IS NOT new.item_group_description
BEGIN
    DELETE FROM items_fts WHERE rowid = old.rowid;
    INSERT INTO items_fts (rowid, code, description, extra_description, search_code, barcode, item_group)
    VALUES (new.rowid, new.code, new.description, new.extra_description, new.search_code, new.barcode,
            concat_ws(' ', new.item_group_code, new.item_group_description));
END;
