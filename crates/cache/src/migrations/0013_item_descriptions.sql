-- Item descriptions in other languages (issue #6): Exact has no translation entity; a sync of
-- Items with the CustomDescriptionLanguage header returns them, one language per read. Rows go
-- with their item (deleted or swept with it).

CREATE TABLE item_descriptions (
    division INTEGER NOT NULL,
    item TEXT NOT NULL,
    -- Exact's language code as configured (e.g. EN, DE, FR-BE), upper case.
    language TEXT NOT NULL,
    description TEXT,
    extra_description TEXT,
    timestamp INTEGER,
    PRIMARY KEY (division, item, language)
) WITHOUT ROWID;
