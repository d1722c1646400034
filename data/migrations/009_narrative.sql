-- The board's monthly narrative as a person edited it: one row per sentence in reading order, who saved it and when,
-- and the figures each drafted sentence stated when it was edited (JSON), so that a figure changing afterwards marks
-- that sentence stale. A draft sentence removed by the editor is kept with removed = true, so it stays removed.
CREATE TABLE narratives (
    month DATE NOT NULL,                   -- first day of the month the narrative is about
    scope VARCHAR NOT NULL DEFAULT '',     -- '' the whole organisation, 'unit:<name>' or 'function:<name>'
    line INTEGER NOT NULL,                 -- 1, 2, ... in reading order
    sentence_id VARCHAR NOT NULL DEFAULT '', -- the drafted sentence it comes from; '' for one a person added
    section VARCHAR NOT NULL,
    text VARCHAR NOT NULL,
    figures VARCHAR,                       -- JSON object: figure name -> the figure as the sentence stated it
    link VARCHAR,                          -- the view that shows the figures (path and query)
    removed BOOLEAN NOT NULL DEFAULT false,
    edited_by VARCHAR NOT NULL,
    edited_at TIMESTAMP NOT NULL,
    PRIMARY KEY (month, scope, line)
);
