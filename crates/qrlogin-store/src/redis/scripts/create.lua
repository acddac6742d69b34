-- Creates one QR session hash, only if no such key exists (ids are random, so a
-- collision would be a bug: better refused than overwritten); where it can, writes
-- the poll index in the same step.
-- KEYS[1]: the session hash qrl:{<qr_id>}
-- ARGV[1]: not_after (deadline.lua, which runs first)
-- ARGV[2]: purge_at, unix ms (the key's expiry)
-- ARGV[3]: the poll index key qrl:p:<hash> on one server or Sentinel, where this script
--   writes it too (one round trip for both); "" on a Cluster, where it lives in another
--   slot and the caller writes it beside this script
-- ARGV[4]: the qr id, the poll index's value
-- ARGV[5..]: field, value, field, value, ...
-- Returns 1 when created, 0 when the key already existed, or the error LATE.
if redis.call('EXISTS', KEYS[1]) == 1 then
  return 0
end
redis.call('HSET', KEYS[1], unpack(ARGV, 5))
redis.call('PEXPIREAT', KEYS[1], ARGV[2])
if ARGV[3] ~= '' then
  redis.call('SET', ARGV[3], ARGV[4], 'PXAT', ARGV[2])
end
return 1
