-- Ideas put into practice per 100 people on the month-end headcount; empty when the headcount is missing or 0.
SELECT s.month, 100 * CAST(coalesce(i.ideas, 0) AS DOUBLE) / nullif(h.headcount, 0) AS value
FROM spine s
LEFT JOIN implemented_ideas i USING (month)
LEFT JOIN headcount_totals h USING (month)
