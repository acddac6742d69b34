-- Accounts, phone tokens, PC sessions, linked identities and the activity log.
-- Later features (OAuth clients, signing keys, trusted issuers, passkeys) come as new
-- numbered files; an applied file is never edited.

CREATE TABLE accounts (
    id            TEXT    PRIMARY KEY NOT NULL,
    username      TEXT    NOT NULL UNIQUE,
    display_name  TEXT    NOT NULL,
    avatar_url    TEXT,
    password_hash TEXT,
    disabled      BOOLEAN NOT NULL DEFAULT FALSE,
    created_at    BIGINT  NOT NULL,
    updated_at    BIGINT  NOT NULL
);

-- Tokens by the SHA-256 of their text; a revoked token is deleted.
CREATE TABLE mobile_tokens (
    token_hash BYTEA   PRIMARY KEY NOT NULL,
    account_id TEXT    NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    device     TEXT    NOT NULL, -- DeviceInfo as JSON
    created_at BIGINT  NOT NULL,
    expires_at BIGINT  NOT NULL
);
CREATE INDEX mobile_tokens_account ON mobile_tokens (account_id);
CREATE INDEX mobile_tokens_expiry ON mobile_tokens (expires_at);

CREATE TABLE web_sessions (
    token_hash BYTEA   PRIMARY KEY NOT NULL,
    id         TEXT    NOT NULL UNIQUE,
    account_id TEXT    NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    created_at BIGINT  NOT NULL,
    expires_at BIGINT  NOT NULL,
    device     TEXT, -- DeviceInfo as JSON, NULL when the PC did not say
    ip         TEXT    NOT NULL
);
CREATE INDEX web_sessions_account ON web_sessions (account_id, created_at);
CREATE INDEX web_sessions_expiry ON web_sessions (expires_at);

-- (namespace, subject): a trusted issuer's (iss, sub) or a backend's (client_id, subject).
CREATE TABLE account_links (
    namespace  TEXT    NOT NULL,
    subject    TEXT    NOT NULL,
    account_id TEXT    NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    created_at BIGINT  NOT NULL,
    PRIMARY KEY (namespace, subject)
);
CREATE INDEX account_links_account ON account_links (account_id);

-- seq orders events of one millisecond in insertion order.
CREATE TABLE activity_events (
    seq         BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id          TEXT    NOT NULL UNIQUE,
    account_id  TEXT    NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    at          BIGINT  NOT NULL,
    kind        TEXT    NOT NULL,
    ip          TEXT,
    device      TEXT, -- DeviceInfo as JSON
    client_id   TEXT,
    client_name TEXT,
    method      TEXT
);
CREATE INDEX activity_events_account ON activity_events (account_id, at, seq);
CREATE INDEX activity_events_at ON activity_events (at);
