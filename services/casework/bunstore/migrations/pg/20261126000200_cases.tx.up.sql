CREATE TABLE products (
    id                TEXT PRIMARY KEY,
    brand             TEXT NOT NULL,
    model             TEXT NOT NULL,
    model_norm        TEXT NOT NULL,
    variants          TEXT NOT NULL DEFAULT '[]',
    gtin              TEXT,
    category          TEXT NOT NULL DEFAULT '',
    firmware_versions TEXT NOT NULL DEFAULT '[]',
    connectable       BOOLEAN NOT NULL DEFAULT TRUE,
    excepted          BOOLEAN NOT NULL DEFAULT FALSE,
    excepted_reason   TEXT NOT NULL DEFAULT '',
    soc_present       BOOLEAN NOT NULL DEFAULT FALSE,
    soc_standard      TEXT NOT NULL DEFAULT '',
    soc_version       TEXT NOT NULL DEFAULT '',
    soc_signatory     TEXT NOT NULL DEFAULT '',
    soc_date          TIMESTAMPTZ,
    created_by        TEXT NOT NULL DEFAULT '',
    created_at        TIMESTAMPTZ NOT NULL,
    updated_at        TIMESTAMPTZ NOT NULL,
    version           INTEGER NOT NULL
);
--bun:split
CREATE UNIQUE INDEX products_gtin_uq ON products (gtin) WHERE gtin IS NOT NULL;
--bun:split
CREATE INDEX products_brand_model_idx ON products (model_norm);
--bun:split
CREATE TABLE support_periods (
    product_id  TEXT NOT NULL REFERENCES products (id),
    seq         INTEGER NOT NULL,
    end_date    TIMESTAMPTZ NOT NULL,
    published   TEXT NOT NULL DEFAULT '',
    url         TEXT NOT NULL DEFAULT '',
    recorded_at TIMESTAMPTZ NOT NULL,
    recorded_by TEXT NOT NULL,
    shortened   BOOLEAN NOT NULL DEFAULT FALSE,
    PRIMARY KEY (product_id, seq)
);
--bun:split
CREATE TABLE operators (
    id             TEXT PRIMARY KEY,
    name           TEXT NOT NULL,
    trading_names  TEXT NOT NULL DEFAULT '[]',
    company_number TEXT NOT NULL DEFAULT '',
    address        TEXT NOT NULL DEFAULT '',
    country        TEXT NOT NULL DEFAULT '',
    website        TEXT NOT NULL DEFAULT '',
    vdp_url        TEXT NOT NULL DEFAULT '',
    sole_trader    BOOLEAN NOT NULL DEFAULT FALSE,
    created_at     TIMESTAMPTZ NOT NULL,
    updated_at     TIMESTAMPTZ NOT NULL,
    version        INTEGER NOT NULL
);
--bun:split
CREATE INDEX operators_name_idx ON operators (name);
--bun:split
CREATE TABLE cases (
    id                 TEXT PRIMARY KEY,
    authority_id       TEXT NOT NULL REFERENCES authorities (id),
    reference          TEXT NOT NULL UNIQUE,
    title              TEXT NOT NULL,
    summary            TEXT NOT NULL DEFAULT '',
    origin             TEXT NOT NULL,
    status             TEXT NOT NULL,
    risk_level         TEXT NOT NULL,
    assignee_id        TEXT REFERENCES users (id),
    created_by         TEXT NOT NULL,
    created_at         TIMESTAMPTZ NOT NULL,
    updated_at         TIMESTAMPTZ NOT NULL,
    closed_at          TIMESTAMPTZ,
    closure_reason     TEXT NOT NULL DEFAULT '',
    closure_note       TEXT NOT NULL DEFAULT '',
    closure_request    TEXT,
    scope_connectable  BOOLEAN,
    scope_uk_consumer  BOOLEAN,
    scope_used         BOOLEAN,
    scope_excepted     BOOLEAN,
    scope_excepted_cat TEXT NOT NULL DEFAULT '',
    scope_notes        TEXT NOT NULL DEFAULT '',
    version            INTEGER NOT NULL
);
--bun:split
CREATE INDEX cases_authority_idx ON cases (authority_id, id);
--bun:split
CREATE INDEX cases_status_idx ON cases (authority_id, status, id);
--bun:split
CREATE INDEX cases_assignee_idx ON cases (assignee_id, id);
--bun:split
CREATE TABLE case_products (
    case_id    TEXT NOT NULL REFERENCES cases (id),
    product_id TEXT NOT NULL REFERENCES products (id),
    position   INTEGER NOT NULL,
    PRIMARY KEY (case_id, product_id)
);
--bun:split
CREATE INDEX case_products_product_idx ON case_products (product_id);
--bun:split
CREATE TABLE case_parties (
    id          TEXT PRIMARY KEY,
    case_id     TEXT NOT NULL REFERENCES cases (id),
    operator_id TEXT NOT NULL REFERENCES operators (id),
    role        TEXT NOT NULL,
    product_id  TEXT NOT NULL DEFAULT '',
    added_by    TEXT NOT NULL,
    added_at    TIMESTAMPTZ NOT NULL,
    UNIQUE (case_id, operator_id, role, product_id)
);
--bun:split
CREATE INDEX case_parties_operator_idx ON case_parties (operator_id);
--bun:split
CREATE TABLE case_notes (
    id         TEXT PRIMARY KEY,
    case_id    TEXT NOT NULL REFERENCES cases (id),
    author_id  TEXT NOT NULL,
    author     TEXT NOT NULL,
    body       TEXT NOT NULL,
    shareable  BOOLEAN NOT NULL DEFAULT FALSE,
    created_at TIMESTAMPTZ NOT NULL
);
--bun:split
CREATE INDEX case_notes_case_idx ON case_notes (case_id, created_at);
--bun:split
CREATE TABLE case_assessments (
    case_id        TEXT NOT NULL REFERENCES cases (id),
    requirement_id TEXT NOT NULL,
    verdict        TEXT NOT NULL,
    rationale      TEXT NOT NULL DEFAULT '',
    reason         TEXT NOT NULL DEFAULT '',
    evidence_ids   TEXT NOT NULL DEFAULT '[]',
    finding_ids    TEXT NOT NULL DEFAULT '[]',
    updated_by     TEXT NOT NULL,
    updated_at     TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (case_id, requirement_id)
);
--bun:split
CREATE TABLE case_shares (
    case_id      TEXT NOT NULL REFERENCES cases (id),
    authority_id TEXT NOT NULL REFERENCES authorities (id),
    status       TEXT NOT NULL,
    reason       TEXT NOT NULL,
    referred_by  TEXT NOT NULL,
    referred_at  TIMESTAMPTZ NOT NULL,
    accepted_by  TEXT NOT NULL DEFAULT '',
    accepted_at  TIMESTAMPTZ,
    PRIMARY KEY (case_id, authority_id)
);
--bun:split
CREATE INDEX case_shares_authority_idx ON case_shares (authority_id, case_id);
