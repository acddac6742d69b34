-- Whether a device's latest token poll came sooner than its interval (RFC 8628 §3.5
-- `slow_down`). The one UPDATE that records a poll sets it from the row as it was, so
-- pacing is a single atomic statement on every instance instead of a read and a write
-- that two instances could interleave.
ALTER TABLE oauth_requests ADD COLUMN slowed_down BOOLEAN NOT NULL DEFAULT FALSE;
