-- Evidence a statistician would sign (issue 13).
-- Process changes marked by hand on a process-behaviour chart: the chart, the cards, the board pack and the command
-- line recalculate the metric's limits from each one (initiatives' starts count too, from the initiatives table).
CREATE TABLE process_changes (
    metric VARCHAR NOT NULL,
    month DATE NOT NULL,                -- the first month of the new process
    unit VARCHAR NOT NULL DEFAULT '',   -- '' = the whole organisation
    reason VARCHAR NOT NULL,            -- what changed, in the lead's words
    PRIMARY KEY (metric, month, unit)
);

-- The actions key customers ask for at their monthly open assessment, tracked to done, not done or declined (the Nokia
-- Siemens Networks practice, domain.md); the share delivered on time is a leading indicator.
CREATE TABLE desired_actions (
    action_id VARCHAR PRIMARY KEY,
    month DATE NOT NULL,                -- the assessment month the customer asked for it in
    customer VARCHAR NOT NULL,          -- who asked: a key customer, or an internal customer unit
    unit VARCHAR,                       -- the unit that is to deliver it; NULL = the whole organisation
    action VARCHAR NOT NULL,            -- what they asked for, in their words
    due DATE NOT NULL,
    status VARCHAR NOT NULL CHECK (status IN ('not done', 'done', 'declined')),
    done_on DATE                        -- when it was done; set exactly when status is done
);
