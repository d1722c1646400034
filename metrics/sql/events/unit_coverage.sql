-- Coverage of $course per unit and month (design.md), shared by the metric and the coverage views (a list of CTEs).
-- Needs scope_units (unit) and unit_headcount (month, unit, headcount, leavers, source) of the units in scope.
-- Counts: min(completed up to the month end, month-end headcount). People, for a course whose completions name people
-- in a unit-month counted from the roster: the people in the month-end headcount with a completion of the course on
-- or before the month's last day, each person once (a person is in one unit at a time). A person counts from the later
-- of the spell's start and their first completion, so training before hire counts and a leaver drops out.
completed_by_month AS (
    SELECT unit, CAST(date_trunc('month', "date") AS DATE) AS month, sum(completed) AS completed
    FROM training
    WHERE course = $course AND unit IN (SELECT unit FROM scope_units)
    GROUP BY ALL
),
counted_months AS (
    -- Full join: completions in a month without a headcount row still count towards later months.
    SELECT unit, month, h.headcount, h.source,
           sum(coalesce(c.completed, 0)) OVER (PARTITION BY unit ORDER BY month) AS cumulative
    FROM unit_headcount h FULL OUTER JOIN completed_by_month c USING (unit, month)
),
first_done AS (
    SELECT person_id, min("date") AS done FROM training_people WHERE course = $course GROUP BY ALL
),
trained_spells AS (
    SELECT r.unit, greatest(r.start, f.done) AS since, coalesce(r."end", DATE '9999-12-31') AS until
    FROM roster r JOIN first_done f USING (person_id)
    WHERE r.unit IN (SELECT unit FROM scope_units)
),
roster_month_ends AS (
    SELECT unit, month, CAST(last_day(month) AS DATE) AS month_end FROM unit_headcount
    WHERE source = 'roster' AND EXISTS (SELECT 1 FROM first_done)
),
people_covered AS (
    -- Plain comparisons (no OR) so the range join runs as a hash join on the unit, not a nested loop.
    SELECT h.unit, h.month, count(t.unit) AS covered
    FROM roster_month_ends h
    LEFT JOIN trained_spells t ON t.unit = h.unit AND t.since <= h.month_end AND t.until >= h.month_end
    GROUP BY ALL
),
unit_coverage AS (
    SELECT c.month, c.unit, c.headcount,
           coalesce(p.covered, least(c.cumulative, c.headcount)) AS covered,
           CASE WHEN p.unit IS NULL THEN 'counts' ELSE 'people' END AS basis
    FROM counted_months c LEFT JOIN people_covered p USING (unit, month)
    WHERE c.headcount IS NOT NULL
)
