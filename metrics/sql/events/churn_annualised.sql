-- Annualised churn: leavers over the last n months / mean headcount over those months x 12 / n, as a fraction.
-- n = min(12, months since the first headcount month), where "months since" counts the current month, so the first
-- headcount month has n = 1: the only reading that never divides by zero. The first month is the unit's own, or for
-- the whole organisation (or a function) the earliest of any of its units (figures summed over units month by month).
-- A month without a headcount row is empty rather than annualising a window that has run out of data.
WITH months_counted AS (
    SELECT month, least(12, datediff('month', min(month) OVER (), month) + 1) AS n
    FROM headcount_totals
),
windowed AS (
    SELECT m.month, m.n, sum(h.leavers) AS leavers, avg(h.headcount) AS mean_headcount
    FROM months_counted m
    JOIN headcount_totals h ON h.month <= m.month AND h.month > m.month - to_months(m.n)
    GROUP BY m.month, m.n
)
SELECT s.month, CAST(w.leavers AS DOUBLE) / nullif(w.mean_headcount, 0) * 12 / w.n AS value
FROM spine s LEFT JOIN windowed w USING (month)
