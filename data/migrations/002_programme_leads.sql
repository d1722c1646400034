-- What programme leads keep beyond the import formats: where an idea came from and the answer its submitter got,
-- the four-step handling of each complaint, what an initiative is expected to do, and custom metric definitions.
ALTER TABLE ideas ADD COLUMN source VARCHAR;          -- workshop, unit, person, import...
ALTER TABLE ideas ADD COLUMN source_ref VARCHAR;      -- which workshop or person, as the source names it
ALTER TABLE ideas ADD COLUMN submitter VARCHAR;       -- the label the submitter chose (may be a display name)
ALTER TABLE ideas ADD COLUMN feedback VARCHAR;        -- the message to the submitter written with the last decision
ALTER TABLE ideas ADD COLUMN status_changed_on DATE;  -- when the idea entered its current status (for "stuck" counts)

ALTER TABLE voice ADD COLUMN thanked_on DATE;
ALTER TABLE voice ADD COLUMN info_gathered_on DATE;
ALTER TABLE voice ADD COLUMN apologised_on DATE;
ALTER TABLE voice ADD COLUMN help_committed_on DATE;
ALTER TABLE voice ADD COLUMN resolved_on DATE;

ALTER TABLE initiatives ADD COLUMN expected_effect VARCHAR;
ALTER TABLE initiatives ADD COLUMN expected_lag_months INTEGER;

-- Custom metrics registered by a programme lead, so readings for them chart like the built-in ones.
CREATE TABLE metric_registry (
    key VARCHAR PRIMARY KEY,
    label VARCHAR NOT NULL,
    kind VARCHAR NOT NULL CHECK (kind IN ('leading', 'lagging')),
    unit VARCHAR NOT NULL,
    direction VARCHAR NOT NULL CHECK (direction IN ('up', 'down')),
    aggregation VARCHAR NOT NULL DEFAULT 'mean',   -- how unit readings combine into a period figure
    description VARCHAR
);
