-- The programme's records. Column names follow the import files in design.md so exports re-import as they are.
-- An optional key unit is stored as '' (whole organisation) because key columns cannot hold NULL.
CREATE TABLE units (
    unit VARCHAR PRIMARY KEY,
    function VARCHAR NOT NULL CHECK (function IN ('frontline', 'internal', 'leadership')),
    parent VARCHAR
);
CREATE TABLE headcount (
    month DATE NOT NULL,            -- first day of the month
    unit VARCHAR NOT NULL,
    headcount INTEGER NOT NULL CHECK (headcount >= 0),
    leavers INTEGER NOT NULL CHECK (leavers >= 0),
    PRIMARY KEY (month, unit)
);
CREATE TABLE training (
    date DATE NOT NULL,
    unit VARCHAR NOT NULL,
    course VARCHAR NOT NULL,
    completed INTEGER NOT NULL CHECK (completed >= 0),
    PRIMARY KEY (date, unit, course)
);
CREATE TABLE plan (
    month DATE NOT NULL,
    course VARCHAR NOT NULL,
    unit VARCHAR NOT NULL DEFAULT '',
    planned_coverage DOUBLE NOT NULL CHECK (planned_coverage BETWEEN 0 AND 1),
    PRIMARY KEY (month, course, unit)
);
CREATE TABLE ideas (
    idea_id VARCHAR PRIMARY KEY,
    title VARCHAR NOT NULL,
    unit VARCHAR,
    submitted_on DATE,
    status VARCHAR NOT NULL CHECK (status IN ('submitted', 'review', 'approved', 'implemented', 'rejected')),
    implemented_on DATE
);
CREATE TABLE voice (
    item_id VARCHAR PRIMARY KEY,
    date DATE NOT NULL,
    unit VARCHAR,
    kind VARCHAR NOT NULL CHECK (kind IN ('praise', 'complaint', 'assessment')),
    text VARCHAR,
    channel VARCHAR
);
CREATE TABLE tickets (
    ticket_id VARCHAR PRIMARY KEY,
    unit VARCHAR,
    opened_at TIMESTAMP NOT NULL,
    promised_by TIMESTAMP NOT NULL,
    closed_at TIMESTAMP
);
CREATE TABLE survey (
    response_id VARCHAR PRIMARY KEY,
    date DATE NOT NULL,
    unit VARCHAR NOT NULL DEFAULT '',
    score INTEGER NOT NULL CHECK (score BETWEEN 0 AND 10)
);
CREATE TABLE readings (
    month DATE NOT NULL,
    metric VARCHAR NOT NULL,
    unit VARCHAR NOT NULL DEFAULT '',
    value DOUBLE NOT NULL,
    PRIMARY KEY (month, metric, unit)
);
CREATE TABLE targets (
    metric VARCHAR NOT NULL,
    "by" DATE NOT NULL,             -- the month the target should be met
    unit VARCHAR NOT NULL DEFAULT '',
    value DOUBLE NOT NULL,
    PRIMARY KEY (metric, "by", unit)
);
CREATE TABLE initiatives (
    name VARCHAR PRIMARY KEY,
    owner VARCHAR,
    start DATE,
    "end" DATE,
    status VARCHAR NOT NULL CHECK (status IN ('planned', 'active', 'done', 'dropped')),
    unit VARCHAR,
    metric VARCHAR
);
-- Programme-wide settings (all-staff course, demo flag) and the data version every write bumps.
CREATE TABLE settings (
    key VARCHAR PRIMARY KEY,
    value VARCHAR NOT NULL
);
CREATE SEQUENCE audit_id;
CREATE TABLE audit (
    id BIGINT PRIMARY KEY DEFAULT nextval('audit_id'),
    changed_at TIMESTAMP NOT NULL DEFAULT current_localtimestamp(),
    actor VARCHAR NOT NULL,
    action VARCHAR NOT NULL,        -- e.g. import, demo, clear-demo, restore
    table_name VARCHAR,             -- NULL on the one summary row of a write
    record_key VARCHAR,             -- JSON of the key columns
    before JSON,                    -- NULL for a new record
    after JSON                      -- NULL for a deleted record
);
INSERT INTO settings VALUES ('data_version', '0'), ('all_staff_course', 'service-excellence');
