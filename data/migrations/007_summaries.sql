-- Unit x month summaries of the event tables, so every metric for any scope reads about 12,000 rows instead of
-- millions. data/summaries.py keeps them exact inside every write transaction (only the unit-months a write touched
-- are recomputed) and fills them when this migration runs. Records that name no unit are summarised under unit ''.
CREATE TABLE unit_month (
    unit VARCHAR NOT NULL,
    month DATE NOT NULL,                              -- first day of the month
    headcount INTEGER,                                -- NULL: no headcount row for this unit and month
    leavers INTEGER,
    ideas_submitted INTEGER NOT NULL DEFAULT 0,       -- by submitted_on
    ideas_implemented INTEGER NOT NULL DEFAULT 0,     -- status implemented, by implemented_on
    ideas_dated INTEGER NOT NULL DEFAULT 0,           -- any implemented_on in the month, whatever the status
    praise INTEGER NOT NULL DEFAULT 0,
    complaints INTEGER NOT NULL DEFAULT 0,
    assessments INTEGER NOT NULL DEFAULT 0,
    tickets_opened INTEGER NOT NULL DEFAULT 0,        -- by opened_at
    tickets_closed INTEGER NOT NULL DEFAULT 0,        -- by closed_at
    tickets_within INTEGER NOT NULL DEFAULT 0,        -- closed on or before the promised day, by closed_at
    responses INTEGER NOT NULL DEFAULT 0,             -- survey responses
    promoters INTEGER NOT NULL DEFAULT 0,             -- scores 9-10
    passives INTEGER NOT NULL DEFAULT 0,              -- scores 7-8
    detractors INTEGER NOT NULL DEFAULT 0,            -- scores 0-6
    PRIMARY KEY (unit, month)
);
-- Completions per course: coverage is asked for one course at a time.
CREATE TABLE training_month (
    unit VARCHAR NOT NULL,
    course VARCHAR NOT NULL,
    month DATE NOT NULL,
    completed BIGINT NOT NULL,
    PRIMARY KEY (unit, course, month)
);
-- Every month from the earliest to the latest with any event data or reading (the month axis of every series).
CREATE TABLE month_spine (
    month DATE NOT NULL
);
-- The data version at which each table last changed: a cache that reads only some tables (the executive figures do
-- not read the workshop tables) keeps its figures while other tables change.
CREATE TABLE table_versions (
    table_name VARCHAR PRIMARY KEY,
    version BIGINT NOT NULL
);
