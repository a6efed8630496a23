-- Account security (issue 13): the 5-failure lock gives way to a delay per
-- (email, client) pair, kept in login_failures under a hash of the pair; a
-- password someone else chose must be changed at the next login; people
-- join an authority by accepting an invitation with the code (the password)
-- their admin gave them, kept here only as an argon2id hash.
ALTER TABLE users ADD COLUMN must_change_password BOOLEAN NOT NULL DEFAULT FALSE;
--bun:split
ALTER TABLE users DROP COLUMN failed_logins;
--bun:split
ALTER TABLE users DROP COLUMN locked_until;
--bun:split
CREATE TABLE login_failures (
    throttle_key    TEXT PRIMARY KEY,
    failures        INTEGER NOT NULL,
    last_failure_at TIMESTAMPTZ NOT NULL
);
--bun:split
CREATE INDEX login_failures_last_idx ON login_failures (last_failure_at);
--bun:split
CREATE TABLE invitations (
    id           TEXT PRIMARY KEY,
    user_id      TEXT NOT NULL REFERENCES users (id),
    authority_id TEXT NOT NULL REFERENCES authorities (id),
    email        TEXT NOT NULL,
    name         TEXT NOT NULL,
    roles        TEXT NOT NULL,
    invited_by   TEXT NOT NULL,
    code_hash    TEXT NOT NULL,
    status       TEXT NOT NULL CHECK (status IN ('pending', 'accepted', 'declined', 'revoked')),
    created_at   TIMESTAMPTZ NOT NULL,
    expires_at   TIMESTAMPTZ NOT NULL,
    responded_at TIMESTAMPTZ
);
--bun:split
CREATE INDEX invitations_user_idx ON invitations (user_id, status);
--bun:split
CREATE INDEX invitations_authority_idx ON invitations (authority_id, created_at);
