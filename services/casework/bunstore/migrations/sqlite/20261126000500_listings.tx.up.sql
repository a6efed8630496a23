CREATE TABLE listings (
    id            TEXT PRIMARY KEY,
    external_id   TEXT,
    retailer      TEXT NOT NULL,
    retailer_key  TEXT NOT NULL,
    market_type   TEXT NOT NULL,
    seller        TEXT NOT NULL DEFAULT '',
    url           TEXT NOT NULL,
    url_key       TEXT NOT NULL,
    title         TEXT NOT NULL,
    description   TEXT NOT NULL DEFAULT '',
    brand         TEXT NOT NULL DEFAULT '',
    model         TEXT NOT NULL DEFAULT '',
    gtin          TEXT,
    price_pence   BIGINT,
    currency      TEXT NOT NULL DEFAULT '',
    condition     TEXT NOT NULL,
    observed_at   TIMESTAMP NOT NULL,
    support_text  TEXT NOT NULL DEFAULT '',
    status        TEXT NOT NULL,
    product_id    TEXT REFERENCES products (id),
    link_source   TEXT NOT NULL DEFAULT '',
    match_reason  TEXT NOT NULL DEFAULT '',
    content_hash  TEXT NOT NULL,
    created_at    TIMESTAMP NOT NULL,
    updated_at    TIMESTAMP NOT NULL,
    version       INTEGER NOT NULL
);
--bun:split
CREATE UNIQUE INDEX listings_url_uq ON listings (url_key, retailer_key);
--bun:split
CREATE UNIQUE INDEX listings_external_uq ON listings (external_id, retailer_key) WHERE external_id IS NOT NULL;
--bun:split
CREATE INDEX listings_product_idx ON listings (product_id, id);
--bun:split
CREATE TABLE listing_product_keys (
    product_id TEXT NOT NULL REFERENCES products (id),
    kind       TEXT NOT NULL,
    key        TEXT NOT NULL,
    PRIMARY KEY (product_id, kind, key)
);
--bun:split
CREATE INDEX listing_product_keys_key_idx ON listing_product_keys (key, kind);
--bun:split
CREATE TABLE listing_imports (
    key           TEXT PRIMARY KEY,
    format        TEXT NOT NULL,
    csv_header    TEXT NOT NULL DEFAULT '',
    offset_bytes  BIGINT NOT NULL,
    lines         BIGINT NOT NULL,
    prefix_sha256 TEXT NOT NULL,
    actor         TEXT NOT NULL DEFAULT '',
    started_at    TIMESTAMP NOT NULL,
    updated_at    TIMESTAMP NOT NULL
);
--bun:split
CREATE TABLE search_outbox (
    seq             INTEGER PRIMARY KEY AUTOINCREMENT,
    kind            TEXT NOT NULL,
    ref             TEXT NOT NULL,
    created_ms      BIGINT NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_ms BIGINT NOT NULL,
    last_error      TEXT NOT NULL DEFAULT ''
);
--bun:split
CREATE TABLE search_case_state (
    case_id     TEXT PRIMARY KEY REFERENCES cases (id),
    product_ids TEXT NOT NULL,
    authorities TEXT NOT NULL
);
--bun:split
CREATE TABLE search_rebuilds (
    id           TEXT PRIMARY KEY,
    requested_at TIMESTAMP NOT NULL,
    requested_by TEXT NOT NULL,
    started_at   TIMESTAMP,
    finished_at  TIMESTAMP,
    total        BIGINT NOT NULL DEFAULT 0,
    done         BIGINT NOT NULL DEFAULT 0,
    error        TEXT NOT NULL DEFAULT ''
);
