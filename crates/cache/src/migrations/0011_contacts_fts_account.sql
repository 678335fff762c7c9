-- The contacts' name index also keeps each contact's division and account ID, stored unindexed
-- beside the contentless index (FTS5 `contentless_unindexed`, SQLite 3.47+), so an account search
-- finds the accounts of matching contacts without reading the contacts table: a one-letter
-- prefix matching 12 000 contacts spent about 18 ms reading their rows for the account ID.
-- The accounts' index keeps the division the same way, so a search's matches are exactly the
-- division's and their number is the list's total without reading any account row.
-- Rebuilt from the rows; the delete triggers refer to the tables by name.

DROP TABLE contacts_fts;

CREATE VIRTUAL TABLE contacts_fts USING fts5 (
    full_name, division UNINDEXED, account UNINDEXED,
    content = '', contentless_delete = 1, contentless_unindexed = 1,
    tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3'
);

INSERT INTO contacts_fts (rowid, full_name, division, account)
SELECT rowid, full_name, division, account FROM contacts WHERE full_name IS NOT NULL
ORDER BY rowid;

DROP TABLE accounts_fts;

CREATE VIRTUAL TABLE accounts_fts USING fts5 (
    name, code, city, email, phone, division UNINDEXED,
    content = '', contentless_delete = 1, contentless_unindexed = 1,
    tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3'
);

INSERT INTO accounts_fts (rowid, name, code, city, email, phone, division)
SELECT rowid, name, code, city, email, phone, division FROM accounts ORDER BY rowid;
