-- The all-staff course is whatever the programme's lead chooses; until someone does, it follows the training data
-- (the course with the most completions, metrics/calc.py). 001 seeded the template's example course instead, which
-- measured coverage of a course an organisation may not run: that seed goes unless someone chose it (an audit row).
DELETE FROM settings
WHERE key = 'all_staff_course' AND value = 'service-excellence'
  AND NOT EXISTS (SELECT 1 FROM audit WHERE table_name = 'settings' AND record_key = '{"key": "all_staff_course"}');

-- A metric's measure: what one unit of its value is, with the scale ("EUR millions", "points out of 10").
ALTER TABLE metric_registry ADD COLUMN measure VARCHAR;
