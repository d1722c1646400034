-- Share of the tickets closed in the month that closed within the promise. Dates are compared, not times: closing
-- at any hour of the promised day counts as within. Open tickets are not counted; no ticket closed = empty.
WITH closed AS (
    SELECT CAST(date_trunc('month', closed_at) AS DATE) AS month,
           count(*) FILTER (WHERE CAST(closed_at AS DATE) <= CAST(promised_by AS DATE)) AS within,
           count(*) AS tickets
    FROM tickets
    WHERE closed_at IS NOT NULL
      AND ($units IS NULL AND $function IS NULL OR unit IN (SELECT unit FROM scope_units))
    GROUP BY ALL
)
SELECT s.month, CAST(c.within AS DOUBLE) / c.tickets AS value
FROM spine s LEFT JOIN closed c USING (month)
