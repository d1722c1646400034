-- Net promoter score of the month's survey responses: % scoring 9-10 minus % scoring 0-6, rounded to 0.1 point,
-- half away from zero (6.25 -> 6.3, -6.25 -> -6.3). The rounding is done in whole tenths of a point with integer
-- arithmetic, floor((2 * 1000 * |net| + n) / (2 * n)), so no binary fraction can tip a half the wrong way.
-- A month and scope without responses takes the NPS reported for it in readings (a survey vendor's monthly figure),
-- never a mix: where responses exist the computed figure stands. A function or a set of units has no reported
-- figure of its own, and an average of its units' reported scores is not their NPS, so it shows only what its units'
-- responses give.
WITH tallies AS (SELECT grp, month, responses, net FROM totals WHERE responses > 0),
reported AS (SELECT grp, month, value FROM own_readings WHERE metric = 'nps')
SELECT g.grp, g.month,
       coalesce(sign(t.net) * ((2000 * abs(t.net) + t.responses) // (2 * t.responses)) / 10.0, r.value) AS value
FROM grid g LEFT JOIN tallies t USING (grp, month) LEFT JOIN reported r USING (grp, month)
