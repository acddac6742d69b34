-- Compare-and-set of one QR session, in one atomic step: the record is replaced only
-- if its stored rev is still the one the caller read, and a change of version is
-- published to the session's channel in the same step, so no waiter can miss it.
-- KEYS[1]: the session hash qrl:{<qr_id>}
-- ARGV[1]: not_after (deadline.lua, which runs first)
-- ARGV[2]: expected rev
-- ARGV[3]: the new version
-- ARGV[4]: purge_at, unix ms (the key's new expiry)
-- ARGV[5]: the publish command: PUBLISH, or SPUBLISH on a Cluster
-- ARGV[6]: the session's channel qrl:{<qr_id>}:ch (same slot); the message is the version
-- ARGV[7..]: the new record: field, value, field, value, ...
-- Returns -1 missing, 0 conflict, 1 written, 2 written and the expiry moved later
-- (the caller then moves the poll index's expiry too: it lives in another slot),
-- or the error LATE (nothing written).
local cur = redis.call('HMGET', KEYS[1], 'r', 'v')
if not cur[1] then
  return -1
end
if cur[1] ~= ARGV[2] then
  return 0
end
local old_expiry = redis.call('PEXPIRETIME', KEYS[1])
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], unpack(ARGV, 7))
redis.call('PEXPIREAT', KEYS[1], ARGV[4])
if cur[2] ~= ARGV[3] then
  redis.call(ARGV[5], ARGV[6], ARGV[3])
end
if tonumber(ARGV[4]) > old_expiry then
  return 2
end
return 1
