-- Contacts' names get a full-text index of their own, one row per contact (rowid = the contacts
-- rowid), and the accounts index no longer holds them. An account search ANDs its terms as
-- before: each term must match the account's own columns or the name of one of its contacts
-- (see accounts::list).
-- Why: with the names inside the account's index row, every contact written rewrote its
-- account's whole index row (read the account and all its contacts' names, delete, insert),
-- which made contacts the most expensive entity of a first sync. A contact now writes only its
-- own short row, and only when its name changes; moving to another account needs no index work.

CREATE VIRTUAL TABLE contacts_fts USING fts5 (
    full_name,
    content = '', contentless_delete = 1,
    tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3'
);

INSERT INTO contacts_fts (rowid, full_name)
SELECT rowid, full_name FROM contacts WHERE full_name IS NOT NULL ORDER BY rowid;

CREATE TRIGGER contacts_fts_delete AFTER DELETE ON contacts BEGIN
    DELETE FROM contacts_fts WHERE rowid = old.rowid;
END;

-- The accounts index without its contact_names column, rebuilt from the rows (rowids are the
-- accounts' own, so the existing delete trigger keeps working).
DROP TABLE accounts_fts;

CREATE VIRTUAL TABLE accounts_fts USING fts5 (
    name, code, city, email, phone,
    content = '', contentless_delete = 1,
    tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3'
);

INSERT INTO accounts_fts (rowid, name, code, city, email, phone)
SELECT rowid, name, code, city, email, phone FROM accounts ORDER BY rowid;
