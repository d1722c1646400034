-- Share of the desired actions due in the month (asked for by key customers at their monthly assessment) that were
-- done on or before their due day. A declined or undone action due in the month counts as not delivered; no action
-- due = empty. Read from its own table as it stands: a few actions per customer a month need no summary.
WITH due AS (
    SELECT CASE WHEN $by_unit THEN unit ELSE '' END AS grp, CAST(date_trunc('month', due) AS DATE) AS month,
           count(*) FILTER (WHERE status = 'done' AND done_on <= due) AS on_time,
           count(*) AS actions
    FROM desired_actions
    WHERE ($units IS NULL AND $function IS NULL AND NOT $by_unit) OR unit IN (SELECT unit FROM scope_units)
    GROUP BY ALL
)
SELECT g.grp, g.month, CAST(d.on_time AS DOUBLE) / d.actions AS value
FROM grid g LEFT JOIN due d USING (grp, month)
