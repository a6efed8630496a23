-- Referrals become collaborations with an access level; declines and
-- revocations are kept on the row (the audit log keeps the history).
-- Referrals accepted before access levels existed start read-only: the
-- owner raises them if it wants the collaborator to add evidence and notes.
ALTER TABLE case_shares ADD COLUMN access_level TEXT NOT NULL DEFAULT 'read_only';
--bun:split
ALTER TABLE case_shares ADD COLUMN ended_by TEXT NOT NULL DEFAULT '';
--bun:split
ALTER TABLE case_shares ADD COLUMN ended_at TIMESTAMP;
--bun:split
ALTER TABLE case_shares ADD COLUMN end_reason TEXT NOT NULL DEFAULT '';
--bun:split
-- The complainant, kept apart from the summary so the summary can be shared
-- with their identity taken out (rule R1).
ALTER TABLE cases ADD COLUMN complainant_name TEXT NOT NULL DEFAULT '';
--bun:split
ALTER TABLE cases ADD COLUMN complainant_email TEXT NOT NULL DEFAULT '';
--bun:split
ALTER TABLE cases ADD COLUMN complainant_phone TEXT NOT NULL DEFAULT '';
--bun:split
ALTER TABLE cases ADD COLUMN complainant_address TEXT NOT NULL DEFAULT '';
--bun:split
-- Which authority wrote each note: collaborators read their own notes and
-- the shareable ones. Existing notes are attributed from the audit entry
-- that recorded them, else to the case's owner.
ALTER TABLE case_notes ADD COLUMN authority_id TEXT REFERENCES authorities (id);
--bun:split
UPDATE case_notes SET authority_id = COALESCE(
    (SELECT a.id FROM audit_log l JOIN authorities a ON a.code = l.authority
      WHERE l.case_id = case_notes.case_id AND l.action = 'case.note_added'
        AND l.detail LIKE '%"note_id":"' || case_notes.id || '"%'
      ORDER BY l.seq LIMIT 1),
    (SELECT c.authority_id FROM cases c WHERE c.id = case_notes.case_id));
