-- Keyed audit chain: each entry records the chain version that sealed it
-- (1 = SHA-256 as before, 2 = HMAC-SHA-256 under the audit key), and the
-- head records which key the database is bound to ('' = not yet keyed).
ALTER TABLE audit_log ADD COLUMN chain SMALLINT NOT NULL DEFAULT 1;
--bun:split
ALTER TABLE audit_head ADD COLUMN key_id TEXT NOT NULL DEFAULT '';
