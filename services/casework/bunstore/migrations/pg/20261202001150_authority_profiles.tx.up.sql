-- What an authority prints on the documents it gives: letterhead, officer
-- contact, penalty payment details and deemed-service days by method (JSON
-- object of method -> business days; absent methods use the defaults).
CREATE TABLE authority_profiles (
    authority_id     TEXT PRIMARY KEY REFERENCES authorities (id),
    full_name        TEXT NOT NULL,
    address          TEXT NOT NULL DEFAULT '[]',
    phone            TEXT NOT NULL DEFAULT '',
    email            TEXT NOT NULL DEFAULT '',
    website          TEXT NOT NULL DEFAULT '',
    logo_png         BYTEA,
    on_behalf_of_sos BOOLEAN NOT NULL DEFAULT FALSE,
    payment          TEXT,
    deemed_service   TEXT NOT NULL DEFAULT '{}',
    updated_at       TIMESTAMPTZ NOT NULL,
    updated_by       TEXT NOT NULL,
    version          INTEGER NOT NULL
);
