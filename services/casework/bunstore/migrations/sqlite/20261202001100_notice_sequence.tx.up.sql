-- The statutory sequence (issue 15 item 1): the notice of intent a notice
-- follows, or the approved justification for giving it without one; what
-- an intent proposes; and the officer's response to the representations
-- received on the intent, which the final notice prints.
ALTER TABLE notices ADD COLUMN intent_id TEXT NOT NULL DEFAULT '';
--bun:split
ALTER TABLE notices ADD COLUMN proposed_type TEXT NOT NULL DEFAULT '';
--bun:split
ALTER TABLE notices ADD COLUMN urgency TEXT NOT NULL DEFAULT '';
--bun:split
ALTER TABLE notices ADD COLUMN urgency_approved_by TEXT NOT NULL DEFAULT '';
--bun:split
ALTER TABLE notices ADD COLUMN urgency_approved_at TIMESTAMP;
--bun:split
ALTER TABLE notices ADD COLUMN representations_response TEXT NOT NULL DEFAULT '';
--bun:split
-- Representations received on a notice of intent: the text, who made them,
-- when they arrived, and the exhibits that carry their attachments.
CREATE TABLE notice_representations (
    id           TEXT PRIMARY KEY,
    notice_id    TEXT NOT NULL REFERENCES notices (id),
    received_at  TIMESTAMP NOT NULL,
    received_from TEXT NOT NULL,
    body         TEXT NOT NULL,
    exhibit_ids  TEXT NOT NULL DEFAULT '[]',
    recorded_by  TEXT NOT NULL,
    recorded_at  TIMESTAMP NOT NULL
);
--bun:split
CREATE INDEX notice_representations_notice_idx ON notice_representations (notice_id, received_at);
