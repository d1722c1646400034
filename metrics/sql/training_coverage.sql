-- Coverage of $course: per unit min(completed up to the month end, month-end headcount); the figure for several units
-- sums those capped numerators over their total headcount, so one over-trained unit cannot hide another's gap.
-- A unit with zero headcount adds 0 to both sides; on its own its figure is empty (0 / 0).
WITH unit_headcount AS (
    SELECT unit, month, headcount FROM unit_month
    WHERE headcount IS NOT NULL
      AND (($units IS NULL AND $function IS NULL AND NOT $by_unit) OR unit IN (SELECT unit FROM scope_units))
),
completed_by_month AS (
    SELECT unit, month, completed FROM training_month
    WHERE course = $course
      AND (($units IS NULL AND $function IS NULL AND NOT $by_unit) OR unit IN (SELECT unit FROM scope_units))
),
unit_months AS (
    -- Full join: completions in a month without a headcount row still count towards later months.
    SELECT unit, month, h.headcount,
           sum(coalesce(c.completed, 0)) OVER (PARTITION BY unit ORDER BY month) AS cumulative
    FROM unit_headcount h FULL OUTER JOIN completed_by_month c USING (unit, month)
),
covered AS (
    SELECT CASE WHEN $by_unit THEN unit ELSE '' END AS grp, month,
           sum(least(cumulative, headcount)) AS covered, sum(headcount) AS headcount
    FROM unit_months
    WHERE headcount IS NOT NULL
    GROUP BY ALL
)
SELECT g.grp, g.month, CAST(c.covered AS DOUBLE) / nullif(c.headcount, 0) AS value
FROM grid g LEFT JOIN covered c USING (grp, month)
