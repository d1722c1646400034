-- The programme from the organisation's own systems: an HR roster (one row per person and spell in a unit), training
-- completions that name people (an LMS report), mappings of foreign exports saved by name, and the hours a service
-- desk promises per ticket priority. Person ids only, never names (data/roster.py may hash them on import).
CREATE TABLE roster (
    person_id VARCHAR NOT NULL,
    unit VARCHAR NOT NULL,
    start DATE NOT NULL,            -- first day in the unit
    "end" DATE,                     -- last day in the unit; NULL while the person is there
    end_reason VARCHAR CHECK (end_reason IN ('moved', 'left')),
    PRIMARY KEY (person_id, unit, start)
);
CREATE TABLE training_people (
    date DATE NOT NULL,
    person_id VARCHAR NOT NULL,
    course VARCHAR NOT NULL,
    PRIMARY KEY (date, person_id, course)
);
-- A foreign export's mapping onto one of the tracker's tables; `signature` identifies the export's columns so the
-- next file with the same columns is offered the mapping unasked.
CREATE TABLE mappings (
    name VARCHAR PRIMARY KEY,
    target VARCHAR NOT NULL,        -- the tracker's table the export fills
    signature VARCHAR NOT NULL,
    spec JSON NOT NULL              -- data/mapping.py: columns, value mappings, date formats, extra header rows
);
-- How long a service desk promises for a ticket of each priority: promised_by = opened_at + hours.
CREATE TABLE promise_hours (
    priority VARCHAR PRIMARY KEY,
    hours DOUBLE NOT NULL CHECK (hours > 0)
);

-- Month-end headcount and the month's leavers of each unit derived from the roster (design.md), for the unit-months
-- that have roster spells. Open spells run to the month of the roster's last import (the setting roster_as_of), so
-- figures stay fixed between writes. A spell that ends on the month's last day still counts at that month end.
CREATE VIEW roster_months AS
WITH bounds AS (
    SELECT unit, CAST(date_trunc('month', min(start)) AS DATE) AS first_month,
           CAST(date_trunc('month', greatest(
               max("end"),
               CASE WHEN bool_or("end" IS NULL) THEN
                   coalesce((SELECT max(CAST(value AS DATE)) FROM settings WHERE key = 'roster_as_of'),
                            max(start))
               END)) AS DATE) AS last_month
    FROM roster GROUP BY unit
),
unit_months AS (
    SELECT b.unit, CAST(g.m AS DATE) AS month, CAST(last_day(g.m) AS DATE) AS month_end
    FROM bounds b, generate_series(b.first_month, b.last_month, INTERVAL 1 MONTH) AS g(m)
)
SELECT m.month, m.unit,
       CAST(count(*) FILTER (WHERE r.start <= m.month_end AND (r."end" IS NULL OR r."end" >= m.month_end))
            AS INTEGER) AS headcount,
       CAST(count(*) FILTER (WHERE r.end_reason = 'left' AND r."end" <= m.month_end) AS INTEGER) AS leavers
FROM unit_months m
JOIN roster r ON r.unit = m.unit AND r.start <= m.month_end AND (r."end" IS NULL OR r."end" >= m.month)
GROUP BY m.month, m.unit;

-- What every metric reads as a unit's headcount and leavers: the typed headcount rows, and the roster's figures for
-- the unit-months without one (an import refuses both for the same unit and month).
CREATE VIEW staff_months AS
SELECT month, unit, headcount, leavers, 'headcount' AS source FROM headcount
UNION ALL
SELECT r.month, r.unit, r.headcount, r.leavers, 'roster' AS source FROM roster_months r
WHERE NOT EXISTS (SELECT 1 FROM headcount h WHERE h.unit = r.unit AND h.month = r.month);
