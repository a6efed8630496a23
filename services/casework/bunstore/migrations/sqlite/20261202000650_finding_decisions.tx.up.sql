-- Officers' decisions on a finding's requirements, kept apart from what the
-- rules cited so that re-imports recompute the rules' citations and apply
-- the decisions again (issue 14 item 5). requirement_ids stays what the
-- finding cites (rules plus attached less detached) for queries.
ALTER TABLE findings ADD COLUMN rule_requirement_ids TEXT NOT NULL DEFAULT '[]';
--bun:split
ALTER TABLE findings ADD COLUMN no_requirement TEXT NOT NULL DEFAULT '';
--bun:split
ALTER TABLE findings ADD COLUMN decisions TEXT NOT NULL DEFAULT '[]';
--bun:split
UPDATE findings SET rule_requirement_ids = requirement_ids WHERE NOT remapped;
--bun:split
-- A finding an officer re-mapped before decisions existed keeps its list as
-- attach decisions; what the rules cited then was not kept.
UPDATE findings SET decisions = (
    SELECT json_group_array(json_object('requirement_id', r.value, 'action', 'attach',
        'reason', 'set by hand before decisions were recorded one by one', 'by', '', 'at', findings.updated_at))
      FROM json_each(findings.requirement_ids) AS r)
 WHERE remapped;
