-- One guarded transition of a QR session, in one atomic step and one round trip: the
-- patch is written only if the stored record passes the guard; either way the record
-- comes back, so the caller needs no read before and none after. The state machine is
-- not here: the server's pure core chose the guard and the patch (qrlogin_core::plan);
-- this only compares stored values.
-- KEYS[1]: the session hash qrl:{<qr_id>}
-- ARGV[1]: not_after (deadline.lua, which runs first)
-- ARGV[2]: the allowed state codes, e.g. "01"
-- ARGV[3]: alive_at, unix ms: refused unless it is before the stored expiry `e`
-- ARGV[4]: the ticket hash `t` must equal ("" for no ticket check)
-- ARGV[5]: the scanner key `k` must equal (with ARGV[4])
-- ARGV[6]: the new state code
-- ARGV[7]: the new purge_at, unix ms ("" when the lifetime does not change)
-- ARGV[8]: the publish command: PUBLISH, or SPUBLISH on a Cluster
-- ARGV[9]: the session's channel qrl:{<qr_id>}:ch (same slot); the message is the version
-- ARGV[10]: the poll index prefix "qrl:p:" when this script may move the index's expiry
--   itself (one server or Sentinel), "" on a Cluster, where the index is in another slot
-- ARGV[11..]: the other patched fields: field, value, field, value, ...
-- Returns {-1, {}} missing; {0, fields} refused; {1, fields} written; {2, fields}
-- written and the expiry moved later, the poll index not yet (the caller moves it);
-- fields as HGETALL answers them. Or the error LATE (nothing written).
-- Only records of format 2 and 3 (2 and the client `o`, which no transition changes) are
-- patched: older ones keep the scanner inside the requester's text, so the caller
-- rewrites them whole (a compare-and-set). A patch leaves `f` as it was.
local cur = redis.call('HMGET', KEYS[1], 'f', 'r', 's', 'e', 't', 'k', 'p')
if not cur[2] then
  return {-1, {}}
end
local ok = (cur[1] == '2' or cur[1] == '3') and cur[3] ~= false and string.find(ARGV[2], cur[3], 1, true) ~= nil
  and tonumber(cur[4]) > tonumber(ARGV[3])
if ok and ARGV[4] ~= '' then
  ok = cur[5] == ARGV[4] and cur[6] == ARGV[5]
end
if not ok then
  return {0, redis.call('HGETALL', KEYS[1])}
end
redis.call('HSET', KEYS[1], 's', ARGV[6], unpack(ARGV, 11))
redis.call('HINCRBY', KEYS[1], 'r', 1)
local v = redis.call('HINCRBY', KEYS[1], 'v', 1)
local code = 1
if ARGV[7] ~= '' then
  local old_expiry = redis.call('PEXPIRETIME', KEYS[1])
  redis.call('PEXPIREAT', KEYS[1], ARGV[7])
  if tonumber(ARGV[7]) > old_expiry then
    if ARGV[10] ~= '' then
      redis.call('PEXPIREAT', ARGV[10] .. cur[7], ARGV[7], 'GT')
    else
      code = 2
    end
  end
end
redis.call(ARGV[8], ARGV[9], v)
return {code, redis.call('HGETALL', KEYS[1])}
