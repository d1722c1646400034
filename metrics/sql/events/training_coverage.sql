-- Coverage of $course: per unit min(completed up to the month end, month-end headcount); the figure for several units
-- sums those capped numerators over their total headcount, so one over-trained unit cannot hide another's gap.
-- A unit with zero headcount adds 0 to both sides; on its own its figure is empty (0 / 0).
WITH completed_by_month AS (
    SELECT unit, CAST(date_trunc('month', date) AS DATE) AS month, sum(completed) AS completed
    FROM training
    WHERE course = $course
      AND ($units IS NULL AND $function IS NULL OR unit IN (SELECT unit FROM scope_units))
    GROUP BY ALL
),
unit_months AS (
    -- Full join: completions in a month without a headcount row still count towards later months.
    SELECT unit, month, h.headcount,
           sum(coalesce(c.completed, 0)) OVER (PARTITION BY unit ORDER BY month) AS cumulative
    FROM unit_headcount h FULL OUTER JOIN completed_by_month c USING (unit, month)
),
covered AS (
    SELECT month, sum(least(cumulative, headcount)) AS covered, sum(headcount) AS headcount
    FROM unit_months
    WHERE headcount IS NOT NULL
    GROUP BY month
)
SELECT s.month, CAST(c.covered AS DOUBLE) / nullif(c.headcount, 0) AS value
FROM spine s LEFT JOIN covered c USING (month)
