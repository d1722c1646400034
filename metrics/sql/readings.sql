-- Every readings metric for every spine month: the value given, or empty. The whole organisation reads the rows with
-- unit '' (a sum over units would be wrong for averages like satisfaction); a unit reads its own rows. Readings are
-- given per unit or for the organisation, never per function: under a function filter every reading is empty.
-- Keys of built-in metrics are left out: the importer rejects them, and a built-in must never be shadowed.
WITH reading_keys AS (
    SELECT DISTINCT metric FROM readings WHERE NOT list_contains($builtin_keys, metric)
)
SELECT s.month, k.metric, r.value
FROM spine s
CROSS JOIN reading_keys k
LEFT JOIN readings r ON r.month = s.month AND r.metric = k.metric AND r.unit = coalesce($unit, '')
    AND $function IS NULL
