-- Coverage of $course: per unit the covered people of unit_coverage (counts capped at the headcount, or people from
-- the roster); the figure for several units sums those numerators over their total headcount, so one over-trained unit
-- cannot hide another's gap. A unit with zero headcount adds 0 to both sides; on its own its figure is empty (0 / 0).
WITH covered AS (
    SELECT month, sum(covered) AS covered, sum(headcount) AS headcount
    FROM unit_coverage
    GROUP BY month
)
SELECT s.month, CAST(c.covered AS DOUBLE) / nullif(c.headcount, 0) AS value
FROM spine s LEFT JOIN covered c USING (month)
