-- Trusted issuers (RFC 8693 token exchange): a product's own identity provider whose
-- JWTs a phone may exchange for a qrlogin phone token. Only public data: the JWKS is
-- fetched from jwks_uri, never stored here.

CREATE TABLE trusted_issuers (
    issuer        TEXT    PRIMARY KEY NOT NULL,
    jwks_uri      TEXT    NOT NULL,
    audience      TEXT    NOT NULL,
    name_claim    TEXT,
    picture_claim TEXT,
    created_at    INTEGER NOT NULL
);
