-- Deletes and returns one PC session (revoke, logout). A script only so that
-- deadline.lua can refuse it: a revoke answered 503 must not happen later.
-- KEYS[1]: qrl:ws:<hex sha256>
-- ARGV[1]: not_after (deadline.lua)
-- Returns the session's JSON, or nil if there was none.
return redis.call('GETDEL', KEYS[1])
