-- Praise / complaints in the month; empty when there are no complaints, 0 when complaints came but no praise.
-- Open assessments are neither and do not count.
WITH tallies AS (
    SELECT CAST(date_trunc('month', date) AS DATE) AS month,
           count(*) FILTER (WHERE kind = 'praise') AS praise,
           count(*) FILTER (WHERE kind = 'complaint') AS complaints
    FROM voice
    WHERE ($units IS NULL AND $function IS NULL OR unit IN (SELECT unit FROM scope_units))
    GROUP BY ALL
)
SELECT s.month, CAST(t.praise AS DOUBLE) / nullif(t.complaints, 0) AS value
FROM spine s LEFT JOIN tallies t USING (month)
