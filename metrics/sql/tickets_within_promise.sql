-- Share of the tickets closed in the month that closed within the promise. Dates are compared, not times: closing
-- at any hour of the promised day counts as within (data/summaries.py). Open tickets are not counted; no ticket
-- closed = empty.
SELECT g.grp, g.month, CAST(t.within AS DOUBLE) / nullif(t.closed, 0) AS value
FROM grid g LEFT JOIN totals t USING (grp, month)
