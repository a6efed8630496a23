CREATE TABLE notices (
    id              TEXT PRIMARY KEY,
    case_id         TEXT NOT NULL REFERENCES cases (id),
    authority_id    TEXT NOT NULL REFERENCES authorities (id),
    type            TEXT NOT NULL,
    status          TEXT NOT NULL,
    operator_id     TEXT NOT NULL REFERENCES operators (id),
    product_ids     TEXT NOT NULL DEFAULT '[]',
    requirement_ids TEXT NOT NULL DEFAULT '[]',
    evidence_ids    TEXT NOT NULL DEFAULT '[]',
    steps           TEXT NOT NULL DEFAULT '[]',
    reasons         TEXT NOT NULL DEFAULT '',
    deadline        TIMESTAMPTZ,
    penalty         TEXT,
    author_id       TEXT NOT NULL,
    submitted_at    TIMESTAMPTZ,
    approver_id     TEXT NOT NULL DEFAULT '',
    approved_at     TIMESTAMPTZ,
    reject_reason   TEXT NOT NULL DEFAULT '',
    reference       TEXT UNIQUE,
    issuer_id       TEXT NOT NULL DEFAULT '',
    issued_at       TIMESTAMPTZ,
    exhibit_id      TEXT NOT NULL DEFAULT '',
    sha256          TEXT NOT NULL DEFAULT '',
    verification    TEXT NOT NULL DEFAULT '',
    served_at       TIMESTAMPTZ,
    served_by       TEXT NOT NULL DEFAULT '',
    serve_method    TEXT NOT NULL DEFAULT '',
    served_to       TEXT NOT NULL DEFAULT '',
    outcome_at      TIMESTAMPTZ,
    outcome_note    TEXT NOT NULL DEFAULT '',
    closed_reason   TEXT NOT NULL DEFAULT '',
    created_at      TIMESTAMPTZ NOT NULL,
    updated_at      TIMESTAMPTZ NOT NULL,
    version         INTEGER NOT NULL
);
--bun:split
CREATE INDEX notices_authority_idx ON notices (authority_id, id);
--bun:split
CREATE INDEX notices_case_idx ON notices (case_id, id);
--bun:split
CREATE INDEX notices_status_idx ON notices (authority_id, status, deadline);
--bun:split
CREATE TABLE notice_payments (
    id           TEXT PRIMARY KEY,
    notice_id    TEXT NOT NULL REFERENCES notices (id),
    amount_pence BIGINT NOT NULL,
    paid_at      TIMESTAMPTZ NOT NULL,
    method       TEXT NOT NULL,
    reference    TEXT NOT NULL DEFAULT '',
    recorded_by  TEXT NOT NULL,
    recorded_at  TIMESTAMPTZ NOT NULL
);
--bun:split
CREATE INDEX notice_payments_notice_idx ON notice_payments (notice_id, paid_at);
