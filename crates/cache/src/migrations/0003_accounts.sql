-- Accounts with their contacts and addresses, and the accounts full-text index.

CREATE TABLE accounts (
    division INTEGER NOT NULL,
    id TEXT NOT NULL,
    code TEXT,
    name TEXT,
    status TEXT,
    is_supplier INTEGER NOT NULL DEFAULT 0,
    is_sales INTEGER NOT NULL DEFAULT 0,
    city TEXT,
    country TEXT,
    email TEXT,
    phone TEXT,
    blocked INTEGER NOT NULL DEFAULT 0,
    logo_url TEXT,
    has_logo INTEGER NOT NULL DEFAULT 0,
    modified_ms INTEGER,
    timestamp INTEGER,
    -- Full names of the account's contacts, maintained by the contacts triggers, for search.
    contact_names TEXT,
    attributes TEXT NOT NULL,
    seen_generation INTEGER,
    PRIMARY KEY (division, id)
);
CREATE INDEX accounts_by_code ON accounts (division, code COLLATE NOCASE);
CREATE INDEX accounts_by_name ON accounts (division, name COLLATE NOCASE);

CREATE TABLE contacts (
    division INTEGER NOT NULL,
    id TEXT NOT NULL,
    account TEXT,
    full_name TEXT,
    email TEXT,
    phone TEXT,
    mobile TEXT,
    is_main INTEGER NOT NULL DEFAULT 0,
    picture_url TEXT,
    has_picture INTEGER NOT NULL DEFAULT 0,
    modified_ms INTEGER,
    timestamp INTEGER,
    attributes TEXT NOT NULL,
    seen_generation INTEGER,
    PRIMARY KEY (division, id)
);
CREATE INDEX contacts_by_account ON contacts (division, account);

CREATE TABLE addresses (
    division INTEGER NOT NULL,
    id TEXT NOT NULL,
    account TEXT,
    type INTEGER,
    main INTEGER NOT NULL DEFAULT 0,
    lines TEXT,
    postcode TEXT,
    city TEXT,
    country TEXT,
    modified_ms INTEGER,
    timestamp INTEGER,
    attributes TEXT NOT NULL,
    seen_generation INTEGER,
    PRIMARY KEY (division, id)
);
CREATE INDEX addresses_by_account ON addresses (division, account);

CREATE VIRTUAL TABLE accounts_fts USING fts5 (
    name, code, city, email, phone, contact_names,
    content = '', contentless_delete = 1,
    tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3'
);

CREATE TRIGGER accounts_fts_insert AFTER INSERT ON accounts BEGIN
    INSERT INTO accounts_fts (rowid, name, code, city, email, phone, contact_names)
    VALUES (new.rowid, new.name, new.code, new.city, new.email, new.phone, new.contact_names);
END;

CREATE TRIGGER accounts_fts_delete AFTER DELETE ON accounts BEGIN
    DELETE FROM accounts_fts WHERE rowid = old.rowid;
END;

CREATE TRIGGER accounts_fts_update AFTER UPDATE ON accounts
WHEN old.name IS NOT new.name OR old.code IS NOT new.code OR old.city IS NOT new.city
  OR old.email IS NOT new.email OR old.phone IS NOT new.phone
  OR old.contact_names IS NOT new.contact_names
BEGIN
    DELETE FROM accounts_fts WHERE rowid = old.rowid;
    INSERT INTO accounts_fts (rowid, name, code, city, email, phone, contact_names)
    VALUES (new.rowid, new.name, new.code, new.city, new.email, new.phone, new.contact_names);
END;

-- An account's contact names follow its contacts (insert, rename, move, delete).
CREATE TRIGGER contacts_names_insert AFTER INSERT ON contacts WHEN new.account IS NOT NULL BEGIN
    UPDATE accounts SET contact_names = (
        SELECT group_concat(full_name, ' ') FROM contacts
        WHERE division = new.division AND account = new.account)
    WHERE division = new.division AND id = new.account;
END;

CREATE TRIGGER contacts_names_update AFTER UPDATE ON contacts
WHEN old.full_name IS NOT new.full_name OR old.account IS NOT new.account BEGIN
    UPDATE accounts SET contact_names = (
        SELECT group_concat(full_name, ' ') FROM contacts
        WHERE division = old.division AND account = old.account)
    WHERE division = old.division AND id = old.account;
    UPDATE accounts SET contact_names = (
        SELECT group_concat(full_name, ' ') FROM contacts
        WHERE division = new.division AND account = new.account)
    WHERE division = new.division AND id = new.account;
END;

CREATE TRIGGER contacts_names_delete AFTER DELETE ON contacts WHEN old.account IS NOT NULL BEGIN
    UPDATE accounts SET contact_names = (
        SELECT group_concat(full_name, ' ') FROM contacts
        WHERE division = old.division AND account = old.account)
    WHERE division = old.division AND id = old.account;
END;
