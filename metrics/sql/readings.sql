-- Every readings metric for every spine month. The whole organisation reads the rows with unit '' and a unit its own
-- rows: the value given (design.md). A function or a set of units has no figure of its own, so it combines the
-- readings of its units as the metric is registered: the mean (the default, right for scores such as satisfaction),
-- the sum (totals such as revenue), or not at all ('none'). Keys of built-in metrics are left out: a built-in must
-- never be shadowed.
WITH reading_keys AS (
    SELECT DISTINCT metric FROM readings WHERE NOT list_contains($builtin_keys, metric)
),
combined AS (
    SELECT '' AS grp, month, metric,
           CASE WHEN list_contains($sum_keys, metric) THEN sum(value) ELSE avg(value) END AS value
    FROM readings
    WHERE $own IS NULL AND NOT $by_unit AND unit IN (SELECT unit FROM scope_units)
      AND NOT list_contains($none_keys, metric)
    GROUP BY month, metric
)
SELECT g.grp, g.month, k.metric, coalesce(o.value, c.value) AS value
FROM grid g
CROSS JOIN reading_keys k
LEFT JOIN own_readings o ON o.grp = g.grp AND o.month = g.month AND o.metric = k.metric
LEFT JOIN combined c ON c.grp = g.grp AND c.month = g.month AND c.metric = k.metric
