-- The event-level definitions of the built-in metrics, read straight from the event tables: the contract the summary
-- path (metrics/sql/*.sql) must equal to the decimal (tests/test_summaries.py), and the benchmark's naive DuckDB peer.
-- Parameters: $units is a list of organisational units, or NULL; $function is frontline, internal or leadership, or
-- NULL (neither means the whole organisation); $own is the unit whose own readings the scope reads ('' for the
-- organisation, the unit for one unit, NULL for a function or several units); $course is the training course.
-- Every event table is filtered with the same condition: the whole organisation takes every row (including rows with
-- no unit), a unit or a function takes the rows of the units in scope_units.

-- The month spine: every month from the earliest to the latest with any event data. Plan and targets are left out on
-- purpose: they reach into the future, and a month with nothing recorded yet has no results to show.
event_months AS (
    SELECT month AS m FROM staff_months
    UNION ALL SELECT date_trunc('month', date) FROM training
    UNION ALL SELECT date_trunc('month', submitted_on) FROM ideas
    UNION ALL SELECT date_trunc('month', implemented_on) FROM ideas
    UNION ALL SELECT date_trunc('month', date) FROM voice
    UNION ALL SELECT date_trunc('month', opened_at) FROM tickets
    UNION ALL SELECT date_trunc('month', closed_at) FROM tickets
    UNION ALL SELECT date_trunc('month', date) FROM survey
    UNION ALL SELECT month FROM readings
    UNION ALL SELECT month FROM desired_actions
    -- The months actions were done in; not the months they fall due in, which reach past the data (an assessment
    -- asks for next month's actions), and a month with nothing else recorded has no results to show.
    UNION ALL SELECT date_trunc('month', done_on) FROM desired_actions
),
spine AS (
    SELECT CAST(s.g AS DATE) AS month
    FROM (SELECT CAST(min(m) AS DATE) AS first_month, CAST(max(m) AS DATE) AS last_month FROM event_months) AS b,
         generate_series(b.first_month, b.last_month, INTERVAL 1 MONTH) AS s(g)
),
scope_units AS (
    SELECT unit FROM units
    WHERE ($units IS NULL OR list_contains($units, unit)) AND ($function IS NULL OR function = $function)
),
-- Month-end headcount and leavers of the units in scope, typed or derived from the roster (the view staff_months);
-- whole-organisation figures are sums over units.
unit_headcount AS (
    SELECT month, unit, headcount, leavers, source FROM staff_months
    WHERE ($units IS NULL AND $function IS NULL OR unit IN (SELECT unit FROM scope_units))
),
headcount_totals AS (
    SELECT month, sum(headcount) AS headcount, sum(leavers) AS leavers FROM unit_headcount GROUP BY month
),
implemented_ideas AS (
    SELECT CAST(date_trunc('month', implemented_on) AS DATE) AS month, count(*) AS ideas
    FROM ideas
    WHERE status = 'implemented' AND implemented_on IS NOT NULL
      AND ($units IS NULL AND $function IS NULL OR unit IN (SELECT unit FROM scope_units))
    GROUP BY ALL
)
