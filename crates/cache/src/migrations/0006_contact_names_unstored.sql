-- Accounts no longer store their contacts' names. The accounts full-text index (contentless)
-- still holds them: when an account or its contacts change, the cache rebuilds the account's
-- index row from its columns plus the names read through contacts_by_account.
-- Why: keeping `contact_names` in the account row rewrote that row (about 4.6 KB of attribute
-- JSON, spilling onto overflow pages) for every contact written, which made a first sync of
-- contacts several times slower than one of accounts.

ALTER TABLE accounts DROP COLUMN contact_names;
