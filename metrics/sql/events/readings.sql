-- Every readings metric for every spine month. The whole organisation reads the rows with unit '' and a unit its own
-- rows: the value given (design.md). A function has no figure of its own, so it combines the readings of its units as
-- the metric is registered: the mean (the default, right for scores such as satisfaction), the sum (totals such as
-- revenue), or not at all ('none'). Keys of built-in metrics are left out: a built-in must never be shadowed.
WITH reading_keys AS (
    SELECT DISTINCT metric FROM readings WHERE NOT list_contains($builtin_keys, metric)
),
given AS (
    SELECT month, metric, value FROM readings WHERE unit = $own
),
combined AS (
    SELECT month, metric, CASE WHEN list_contains($sum_keys, metric) THEN sum(value) ELSE avg(value) END AS value
    FROM readings
    WHERE $own IS NULL AND unit IN (SELECT unit FROM scope_units) AND NOT list_contains($none_keys, metric)
    GROUP BY month, metric
)
SELECT s.month, k.metric, coalesce(g.value, c.value) AS value
FROM spine s
CROSS JOIN reading_keys k
LEFT JOIN given g ON g.month = s.month AND g.metric = k.metric
LEFT JOIN combined c ON c.month = s.month AND c.metric = k.metric
