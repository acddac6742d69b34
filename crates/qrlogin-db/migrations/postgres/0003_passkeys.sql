-- Passkeys (WebAuthn credentials) of the phone's sign-in, and the one-use enrollment
-- links of accounts made with --no-password. Numbered 0003: 0002 is the OAuth schema.

-- passkey: webauthn-rs' Passkey as JSON (public key, counter, flags); credential_id is
-- its raw id, unique, what a discoverable sign-in looks the credential up by.
CREATE TABLE passkeys (
    id            TEXT    PRIMARY KEY NOT NULL,
    account_id    TEXT    NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    credential_id BYTEA    NOT NULL UNIQUE,
    name          TEXT    NOT NULL,
    passkey       TEXT    NOT NULL,
    counter       BIGINT  NOT NULL,
    created_at    BIGINT  NOT NULL,
    last_used_at  BIGINT
);
CREATE INDEX passkeys_account ON passkeys (account_id, created_at);

-- By the SHA-256 of the secret only; used once (set in the transaction that stores
-- the enrolled passkey), kept until it expires.
CREATE TABLE passkey_enrollments (
    secret_hash BYTEA    PRIMARY KEY NOT NULL,
    account_id  TEXT    NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    created_at  BIGINT  NOT NULL,
    expires_at  BIGINT  NOT NULL,
    used        BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE INDEX passkey_enrollments_account ON passkey_enrollments (account_id);
