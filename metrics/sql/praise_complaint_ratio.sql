-- Praise / complaints in the month; empty when there are no complaints, 0 when complaints came but no praise.
-- Open assessments are neither and do not count.
SELECT g.grp, g.month, CAST(t.praise AS DOUBLE) / nullif(t.complaints, 0) AS value
FROM grid g LEFT JOIN totals t USING (grp, month)
