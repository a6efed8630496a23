-- What a notice relies on (issue 15 item 3): the hosts of the tested units
-- it names, and per requirement the findings and exhibits the officer
-- chose (JSON list of {requirement_id, finding_ids, exhibit_ids}).
ALTER TABLE notices ADD COLUMN hosts TEXT NOT NULL DEFAULT '[]';
--bun:split
ALTER TABLE notices ADD COLUMN relied_on TEXT NOT NULL DEFAULT '[]';
