-- Building blocks shared by every metric query (a list of CTEs; calc.py puts WITH in front). They read the unit x
-- month summaries (migration 007, data/summaries.py), about 12,000 rows at 200 units and 60 months, never the events;
-- metrics/sql/events holds the same definitions over the event tables, and a test holds the two equal. Headcount and
-- leavers are read from the view staff_months (typed headcount rows, else the roster's, migration 008).
-- Parameters: $units is a list of organisational units, or NULL; $function is frontline, internal or leadership, or
-- NULL (neither means the whole organisation); $own is the unit whose own readings the scope reads ('' for the
-- organisation, the unit for one unit, NULL for a function or several units); $course is the training course;
-- $by_unit computes every unit in scope as its own group (grp = the unit) in the same pass, instead of one group ('').

-- The month spine: every month from the earliest to the latest with any event data (data/summaries.py keeps
-- month_spine inside every write), and the months the roster gives a headcount for.
spine AS (
    SELECT CAST(s.g AS DATE) AS month
    FROM (SELECT min(m) AS first_month, max(m) AS last_month
          FROM (SELECT month AS m FROM month_spine UNION ALL SELECT month FROM roster_months)) AS b,
         generate_series(b.first_month, b.last_month, INTERVAL 1 MONTH) AS s(g)
),
scope_units AS (
    SELECT unit FROM units
    WHERE ($units IS NULL OR list_contains($units, unit)) AND ($function IS NULL OR "function" = $function)
),
groups AS (
    SELECT unit AS grp FROM scope_units WHERE $by_unit
    UNION ALL SELECT '' AS grp WHERE NOT $by_unit
),
grid AS (SELECT g.grp, s.month FROM groups g CROSS JOIN spine s),
-- The whole organisation takes every row (records of no unit too); a unit, units or a function the rows of scope_units.
scoped AS (
    SELECT CASE WHEN $by_unit THEN unit ELSE '' END AS grp, * FROM unit_month
    WHERE ($units IS NULL AND $function IS NULL AND NOT $by_unit) OR unit IN (SELECT unit FROM scope_units)
),
totals AS (
    SELECT grp, month,
           CAST(sum(ideas_implemented) AS BIGINT) AS ideas,
           CAST(sum(praise) AS BIGINT) AS praise, CAST(sum(complaints) AS BIGINT) AS complaints,
           CAST(sum(tickets_closed) AS BIGINT) AS closed, CAST(sum(tickets_within) AS BIGINT) AS within,
           CAST(sum(responses) AS BIGINT) AS responses,
           CAST(sum(promoters) - sum(detractors) AS BIGINT) AS net
    FROM scoped GROUP BY grp, month
),
-- Month-end headcount and leavers of the units in scope, typed or derived from the roster.
unit_headcount AS (
    SELECT month, unit, headcount, leavers, source FROM staff_months
    WHERE ($units IS NULL AND $function IS NULL AND NOT $by_unit) OR unit IN (SELECT unit FROM scope_units)
),
headcount_totals AS (
    SELECT CASE WHEN $by_unit THEN unit ELSE '' END AS grp, month, sum(headcount) AS headcount,
           sum(leavers) AS leavers
    FROM unit_headcount GROUP BY ALL
),
-- The readings a group reads as given: its own ('' for the organisation, the unit's for a unit).
own_readings AS (
    SELECT g.grp, r.month, r.metric, r.value
    FROM readings r JOIN groups g ON r.unit = CASE WHEN $by_unit THEN g.grp ELSE $own END
)
