-- Ideas put into practice per 100 people on the month-end headcount; empty when the headcount is missing or 0.
SELECT g.grp, g.month, 100 * CAST(coalesce(t.ideas, 0) AS DOUBLE) / nullif(h.headcount, 0) AS value
FROM grid g LEFT JOIN totals t USING (grp, month) LEFT JOIN headcount_totals h USING (grp, month)
