-- Adds a PC session to its account's index (a hash: session id -> token hash) and keeps
-- the index alive as long as its longest-lived session.
-- KEYS[1]: qrl:accws:<account_id>
-- ARGV[1]: session id; ARGV[2]: token hash (hex); ARGV[3]: the session's expires_at, unix ms
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
local expiry = redis.call('PEXPIRETIME', KEYS[1])
if expiry < tonumber(ARGV[3]) then
  redis.call('PEXPIREAT', KEYS[1], ARGV[3])
end
return 1
