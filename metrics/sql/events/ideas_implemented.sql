-- Ideas put into practice, counted in the month of implemented_on; a month with none is 0, not empty.
SELECT s.month, coalesce(i.ideas, 0) AS value
FROM spine s LEFT JOIN implemented_ideas i USING (month)
