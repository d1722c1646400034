-- Ideas put into practice, counted in the month of implemented_on; a month with none is 0, not empty.
SELECT g.grp, g.month, coalesce(t.ideas, 0) AS value
FROM grid g LEFT JOIN totals t USING (grp, month)
