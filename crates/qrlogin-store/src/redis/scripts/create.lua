-- Creates one QR session hash, only if no such key exists (ids are random, so a
-- collision would be a bug: better refused than overwritten).
-- KEYS[1]: the session hash qrl:{<qr_id>}
-- ARGV[1]: not_after (deadline.lua, which runs first)
-- ARGV[2]: purge_at, unix ms (the key's expiry)
-- ARGV[3..]: field, value, field, value, ...
-- Returns 1 when created, 0 when the key already existed, or the error LATE.
if redis.call('EXISTS', KEYS[1]) == 1 then
  return 0
end
redis.call('HSET', KEYS[1], unpack(ARGV, 3))
redis.call('PEXPIREAT', KEYS[1], ARGV[2])
return 1
