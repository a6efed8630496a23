-- The normalised model number of each listing (NULL until computed for
-- listings stored before this column), so a product recorded after its
-- listings finds them by model number and by GTIN through an index.
ALTER TABLE listings ADD COLUMN model_key TEXT;
--bun:split
CREATE INDEX listings_model_key_idx ON listings (model_key, id) WHERE model_key <> '';
--bun:split
CREATE INDEX listings_model_key_todo_idx ON listings (id) WHERE model_key IS NULL;
--bun:split
CREATE INDEX listings_gtin_idx ON listings (gtin, id) WHERE gtin IS NOT NULL;
--bun:split
-- One row per product whose listings are to be (re)linked: where the
-- background linker has got to, so the work resumes after a restart.
CREATE TABLE listing_link_jobs (
    product_id      TEXT PRIMARY KEY REFERENCES products (id),
    step            INTEGER NOT NULL DEFAULT 0,
    after_id        TEXT NOT NULL DEFAULT '',
    created_ms      BIGINT NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_ms BIGINT NOT NULL,
    last_error      TEXT NOT NULL DEFAULT ''
);
--bun:split
-- Listings the linker found that may be of a product but are not strong
-- enough evidence to link: offered to an officer to confirm.
CREATE TABLE listing_candidates (
    product_id TEXT NOT NULL REFERENCES products (id),
    listing_id TEXT NOT NULL REFERENCES listings (id),
    score      REAL NOT NULL,
    reasons    TEXT NOT NULL,
    PRIMARY KEY (product_id, listing_id)
);
--bun:split
CREATE INDEX listing_candidates_listing_idx ON listing_candidates (listing_id);
