-- Share of the desired actions due in the month (asked for by key customers at their monthly assessment) that were
-- done on or before their due day. A declined or undone action due in the month counts as not delivered; no action
-- due = empty.
WITH due AS (
    SELECT CAST(date_trunc('month', due) AS DATE) AS month,
           count(*) FILTER (WHERE status = 'done' AND done_on <= due) AS on_time,
           count(*) AS actions
    FROM desired_actions
    WHERE ($units IS NULL AND $function IS NULL OR unit IN (SELECT unit FROM scope_units))
    GROUP BY ALL
)
SELECT s.month, CAST(d.on_time AS DOUBLE) / d.actions AS value
FROM spine s LEFT JOIN due d USING (month)
