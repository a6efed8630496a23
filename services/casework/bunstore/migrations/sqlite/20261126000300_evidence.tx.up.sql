CREATE TABLE exhibits (
    id               TEXT PRIMARY KEY,
    case_id          TEXT NOT NULL REFERENCES cases (id),
    seq              INTEGER NOT NULL,
    ref              TEXT NOT NULL UNIQUE,
    sha256           TEXT NOT NULL,
    size             BIGINT NOT NULL,
    media_type       TEXT NOT NULL,
    declared_type    TEXT NOT NULL DEFAULT '',
    format           TEXT NOT NULL,
    filename         TEXT NOT NULL,
    description      TEXT NOT NULL,
    kind             TEXT NOT NULL DEFAULT '',
    power_used       TEXT NOT NULL DEFAULT '',
    collected_at     TIMESTAMP NOT NULL,
    collected_by     TEXT NOT NULL,
    supersedes_id    TEXT NOT NULL DEFAULT '',
    superseded_by    TEXT NOT NULL DEFAULT '',
    uploaded_by      TEXT NOT NULL,
    uploaded_at      TIMESTAMP NOT NULL,
    parse_warning    TEXT NOT NULL DEFAULT '',
    findings_count   INTEGER NOT NULL DEFAULT 0,
    generated        BOOLEAN NOT NULL DEFAULT FALSE,
    last_verified_at TIMESTAMP,
    last_verify_ok   BOOLEAN,
    UNIQUE (case_id, seq)
);
--bun:split
CREATE INDEX exhibits_sha_idx ON exhibits (sha256);
--bun:split
CREATE TABLE custody (
    id         TEXT PRIMARY KEY,
    exhibit_id TEXT NOT NULL REFERENCES exhibits (id),
    seq        INTEGER NOT NULL,
    action     TEXT NOT NULL,
    at         TIMESTAMP NOT NULL,
    actor_id   TEXT NOT NULL DEFAULT '',
    actor      TEXT NOT NULL,
    sha256     TEXT NOT NULL DEFAULT '',
    from_party TEXT NOT NULL DEFAULT '',
    to_party   TEXT NOT NULL DEFAULT '',
    location   TEXT NOT NULL DEFAULT '',
    note       TEXT NOT NULL DEFAULT '',
    UNIQUE (exhibit_id, seq)
);
--bun:split
CREATE TABLE findings (
    id                TEXT PRIMARY KEY,
    case_id           TEXT NOT NULL REFERENCES cases (id),
    key               TEXT NOT NULL,
    format            TEXT NOT NULL,
    tool              TEXT NOT NULL,
    tool_id           TEXT NOT NULL,
    kind              TEXT NOT NULL,
    title             TEXT NOT NULL,
    severity          TEXT NOT NULL,
    host              TEXT NOT NULL DEFAULT '',
    hostname          TEXT NOT NULL DEFAULT '',
    port              INTEGER NOT NULL DEFAULT 0,
    protocol          TEXT NOT NULL DEFAULT '',
    service           TEXT NOT NULL DEFAULT '',
    product           TEXT NOT NULL DEFAULT '',
    version           TEXT NOT NULL DEFAULT '',
    component         TEXT NOT NULL DEFAULT '',
    cves              TEXT NOT NULL DEFAULT '[]',
    cvss              DOUBLE PRECISION NOT NULL DEFAULT 0,
    output            TEXT NOT NULL DEFAULT '',
    status            TEXT NOT NULL,
    requirement_ids   TEXT NOT NULL DEFAULT '[]',
    rule_ids          TEXT NOT NULL DEFAULT '[]',
    remapped          BOOLEAN NOT NULL DEFAULT FALSE,
    evidence_id       TEXT NOT NULL REFERENCES exhibits (id),
    first_evidence_id TEXT NOT NULL REFERENCES exhibits (id),
    resolved_by       TEXT NOT NULL DEFAULT '',
    note              TEXT NOT NULL DEFAULT '',
    created_at        TIMESTAMP NOT NULL,
    updated_at        TIMESTAMP NOT NULL,
    UNIQUE (case_id, format, key)
);
--bun:split
CREATE INDEX findings_case_idx ON findings (case_id, id);
--bun:split
CREATE TABLE finding_requirements (
    finding_id     TEXT NOT NULL REFERENCES findings (id),
    case_id        TEXT NOT NULL,
    requirement_id TEXT NOT NULL,
    PRIMARY KEY (finding_id, requirement_id)
);
--bun:split
CREATE INDEX finding_requirements_case_idx ON finding_requirements (case_id, requirement_id);
