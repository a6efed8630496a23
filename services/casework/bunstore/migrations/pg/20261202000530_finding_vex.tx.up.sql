-- The latest VEX statement applied to a finding (issue 14): the supplier's
-- status, justification and notes, and the VEX exhibit they came from, so
-- a not_affected or fixed status shows whose claim it rests on.
ALTER TABLE findings ADD COLUMN vex_status TEXT NOT NULL DEFAULT '';
--bun:split
ALTER TABLE findings ADD COLUMN vex_justification TEXT NOT NULL DEFAULT '';
--bun:split
ALTER TABLE findings ADD COLUMN vex_statement TEXT NOT NULL DEFAULT '';
--bun:split
ALTER TABLE findings ADD COLUMN vex_evidence_id TEXT NOT NULL DEFAULT '';
