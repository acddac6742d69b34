-- The OpenID Provider: registered clients, signing keys, pending OAuth requests (one per
-- OAuth-carrying QR session), authorization codes, refresh and access tokens. Secrets
-- are kept as the SHA-256 of their text only.

CREATE TABLE oauth_clients (
    id            TEXT    PRIMARY KEY NOT NULL,
    name          TEXT    NOT NULL,
    secret_hash   BYTEA,             -- NULL: a public client
    redirect_uris TEXT    NOT NULL, -- JSON array of strings
    grants        TEXT    NOT NULL, -- JSON array of grant names
    scopes        TEXT    NOT NULL, -- JSON array of strings
    id_token_alg  TEXT    NOT NULL,
    created_at    BIGINT  NOT NULL
);

-- Private keys as PKCS#8 PEM; not_after: retired, published until then.
CREATE TABLE signing_keys (
    kid         TEXT    PRIMARY KEY NOT NULL,
    alg         TEXT    NOT NULL,
    private_pem TEXT    NOT NULL,
    created_at  BIGINT  NOT NULL,
    not_after   BIGINT 
);

-- What an OAuth QR session carries: the authorization request, or the device grant.
CREATE TABLE oauth_requests (
    qr_id            TEXT    PRIMARY KEY NOT NULL,
    client_id        TEXT    NOT NULL REFERENCES oauth_clients (id) ON DELETE CASCADE,
    redirect_uri     TEXT,
    scope            TEXT    NOT NULL,
    state            TEXT,
    nonce            TEXT,
    code_challenge   TEXT,
    device_code_hash BYTEA    UNIQUE,
    user_code_hash   BYTEA,
    interval_secs    BIGINT  NOT NULL,
    last_poll_at     BIGINT ,
    expires_at       BIGINT  NOT NULL
);
CREATE INDEX oauth_requests_user_code ON oauth_requests (user_code_hash);
CREATE INDEX oauth_requests_expiry ON oauth_requests (expires_at);

CREATE TABLE oauth_codes (
    code_hash      BYTEA    PRIMARY KEY NOT NULL,
    client_id      TEXT    NOT NULL REFERENCES oauth_clients (id) ON DELETE CASCADE,
    account_id     TEXT    NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    redirect_uri   TEXT    NOT NULL,
    scope          TEXT    NOT NULL,
    nonce          TEXT,
    code_challenge TEXT,
    session_id     TEXT    NOT NULL,
    auth_time      BIGINT  NOT NULL,
    expires_at     BIGINT  NOT NULL
);
CREATE INDEX oauth_codes_expiry ON oauth_codes (expires_at);

-- Rotation: a used token stays (used = TRUE) so that its reuse is recognised and
-- revokes the family; revoking deletes.
CREATE TABLE refresh_tokens (
    token_hash BYTEA    PRIMARY KEY NOT NULL,
    family_id  TEXT    NOT NULL,
    client_id  TEXT    NOT NULL REFERENCES oauth_clients (id) ON DELETE CASCADE,
    account_id TEXT    NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    scope      TEXT    NOT NULL,
    session_id TEXT    NOT NULL,
    auth_time  BIGINT  NOT NULL,
    expires_at BIGINT  NOT NULL,
    used       BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE INDEX refresh_tokens_family ON refresh_tokens (family_id);
CREATE INDEX refresh_tokens_expiry ON refresh_tokens (expires_at);

-- account_id NULL: a client_credentials token (the client acts for itself).
CREATE TABLE access_tokens (
    token_hash BYTEA    PRIMARY KEY NOT NULL,
    client_id  TEXT    NOT NULL REFERENCES oauth_clients (id) ON DELETE CASCADE,
    account_id TEXT    REFERENCES accounts (id) ON DELETE CASCADE,
    scope      TEXT    NOT NULL,
    family_id  TEXT,
    created_at BIGINT  NOT NULL,
    expires_at BIGINT  NOT NULL
);
CREATE INDEX access_tokens_family ON access_tokens (family_id);
CREATE INDEX access_tokens_expiry ON access_tokens (expires_at);
