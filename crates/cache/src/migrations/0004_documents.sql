-- Documents (linked to an account and/or an item) and their attachments.

CREATE TABLE documents (
    division INTEGER NOT NULL,
    id TEXT NOT NULL,
    account TEXT,
    item TEXT,
    subject TEXT,
    type INTEGER,
    type_description TEXT,
    date_ms INTEGER,
    modified_ms INTEGER,
    timestamp INTEGER,
    attributes TEXT NOT NULL,
    seen_generation INTEGER,
    PRIMARY KEY (division, id)
);
CREATE INDEX documents_by_account ON documents (division, account) WHERE account IS NOT NULL;
CREATE INDEX documents_by_item ON documents (division, item) WHERE item IS NOT NULL;

CREATE TABLE document_attachments (
    division INTEGER NOT NULL,
    id TEXT NOT NULL,
    document TEXT,
    file_name TEXT,
    file_size REAL,
    url TEXT,
    timestamp INTEGER,
    attributes TEXT NOT NULL,
    seen_generation INTEGER,
    PRIMARY KEY (division, id)
);
CREATE INDEX document_attachments_by_document ON document_attachments (division, document);
