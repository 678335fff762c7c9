-- Attribute JSON is stored compressed: every `attributes` value becomes a BLOB of a format tag
-- byte (1), the JSON's length (4 bytes little-endian) and an LZ4 block compressed against a
-- frozen dictionary of property names (src/attributes_dict_v1.json); see
-- columns::compress_attributes. The declared type stays TEXT: SQLite keeps a BLOB as a BLOB in
-- a TEXT column, and changing the declaration would mean rebuilding every table while keeping
-- the rowids the contentless full-text indexes refer to. Readers decompress, and still accept
-- TEXT, so they return exactly the JSON text that was written.
-- Why: the JSON (3–5 KB per item or account) was most of each row; at about 40 % of that, two
-- item rows fit a 4 KB page instead of one, so a first sync writes far fewer pages through the
-- WAL and the checkpoint, and the file is smaller.
-- `attributes_lz4(value)` is registered by the migration runner on its connection: it
-- compresses TEXT the way the cache writes it now and returns anything else unchanged.

UPDATE divisions SET attributes = attributes_lz4(attributes) WHERE typeof(attributes) = 'text';
UPDATE items SET attributes = attributes_lz4(attributes) WHERE typeof(attributes) = 'text';
UPDATE item_groups SET attributes = attributes_lz4(attributes) WHERE typeof(attributes) = 'text';
UPDATE units SET attributes = attributes_lz4(attributes) WHERE typeof(attributes) = 'text';
UPDATE accounts SET attributes = attributes_lz4(attributes) WHERE typeof(attributes) = 'text';
UPDATE contacts SET attributes = attributes_lz4(attributes) WHERE typeof(attributes) = 'text';
UPDATE addresses SET attributes = attributes_lz4(attributes) WHERE typeof(attributes) = 'text';
UPDATE documents SET attributes = attributes_lz4(attributes) WHERE typeof(attributes) = 'text';
UPDATE document_attachments SET attributes = attributes_lz4(attributes)
WHERE typeof(attributes) = 'text';
