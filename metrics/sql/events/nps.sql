-- Net promoter score of the month's survey responses: % scoring 9-10 minus % scoring 0-6, rounded to 0.1 point,
-- half away from zero (6.25 -> 6.3, -6.25 -> -6.3). The rounding is done in whole tenths of a point with integer
-- arithmetic, floor((2 * 1000 * |net| + n) / (2 * n)), so no binary fraction can tip a half the wrong way.
-- A month and scope without responses takes the NPS reported for it in readings (a survey vendor's monthly figure),
-- never a mix: where responses exist the computed figure stands. A function has no reported figure of its own, and
-- an average of its units' reported scores is not their NPS, so it shows only what its units' responses give.
WITH tallies AS (
    SELECT CAST(date_trunc('month', date) AS DATE) AS month,
           count(*) AS responses,
           count(*) FILTER (WHERE score >= 9) - count(*) FILTER (WHERE score <= 6) AS net
    FROM survey
    WHERE ($units IS NULL AND $function IS NULL OR unit IN (SELECT unit FROM scope_units))
    GROUP BY ALL
),
reported AS (
    SELECT month, value FROM readings WHERE metric = 'nps' AND unit = $own
)
SELECT s.month,
       coalesce(sign(t.net) * ((2000 * abs(t.net) + t.responses) // (2 * t.responses)) / 10.0, r.value) AS value
FROM spine s LEFT JOIN tallies t USING (month) LEFT JOIN reported r USING (month)
