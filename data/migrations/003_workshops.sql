-- Live workshops: a facilitator puts a question to a room, participants (no account, known by a token) submit and
-- vote from their phones, and selected ideas are promoted into the ideas pipeline. No foreign keys: DuckDB refuses
-- updates of a referenced key's row, and the data layer (data/workshops.py) keeps the references consistent.
CREATE SEQUENCE workshop_id;
CREATE SEQUENCE submission_id;
-- Every change of what a wall shows (a new, edited, hidden, pinned or merged idea, a vote cast or taken back) stamps
-- the idea with the next value, so a projector asks "what changed since n" instead of re-reading the wall.
CREATE SEQUENCE wall_rev;

CREATE TABLE workshops (
    id INTEGER PRIMARY KEY,
    title VARCHAR NOT NULL,
    question VARCHAR NOT NULL,      -- the question put to the room
    units VARCHAR[],                -- the units present (names in `units`)
    course VARCHAR,
    "date" DATE NOT NULL,
    join_code VARCHAR NOT NULL,     -- short, without 0/O/1/I; unique among workshops not archived
    token VARCHAR NOT NULL,         -- carried by the join link and QR code: at least 128 random bits
    status VARCHAR NOT NULL CHECK (status IN ('open', 'closed', 'archived')),
    hold_for_approval BOOLEAN NOT NULL DEFAULT false,
    created_at TIMESTAMP NOT NULL,
    created_by VARCHAR
);
CREATE TABLE participants (
    token VARCHAR PRIMARY KEY,      -- the participant's own link (?p=...): at least 128 random bits
    workshop_id INTEGER NOT NULL,
    seat INTEGER NOT NULL,          -- order of joining, for the label "Participant 7"
    display_name VARCHAR,
    joined_at TIMESTAMP NOT NULL
);
CREATE TABLE submissions (
    id BIGINT PRIMARY KEY,
    workshop_id INTEGER NOT NULL,
    participant_token VARCHAR NOT NULL,
    text VARCHAR NOT NULL,
    status VARCHAR NOT NULL CHECK (status IN ('visible', 'held', 'hidden')),
    pinned BOOLEAN NOT NULL DEFAULT false,
    merged_into BIGINT,             -- a duplicate merged into another idea leaves the wall; its votes moved there
    created_at TIMESTAMP NOT NULL,
    edited BOOLEAN NOT NULL DEFAULT false,
    rev BIGINT NOT NULL             -- from wall_rev: when the idea last changed as a wall shows it
);
CREATE TABLE votes (
    submission_id BIGINT NOT NULL,
    participant_token VARCHAR NOT NULL,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (submission_id, participant_token)  -- once per idea per participant
);
CREATE TABLE promotions (
    submission_id BIGINT PRIMARY KEY,
    idea_id VARCHAR NOT NULL,       -- the ideas row it became
    workshop_id INTEGER NOT NULL,
    promoted_at TIMESTAMP NOT NULL,
    promoted_by VARCHAR
);
