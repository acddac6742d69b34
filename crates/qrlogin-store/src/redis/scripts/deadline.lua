-- Prepended to every script that must not write once its caller has given up
-- (see redis/clock.rs): the caller waits for the answer only so long, then reports
-- "nothing was changed". A script can be held back past that point, e.g. by
-- CLIENT PAUSE WRITE during a failover, so it checks first, on Redis' own clock.
-- ARGV[1]: not_after, Redis unix ms; later than that, nothing is written.
local now = redis.call('TIME')
if tonumber(now[1]) * 1000 + tonumber(now[2]) / 1000 > tonumber(ARGV[1]) then
  return redis.error_reply('LATE the caller gave up on this write; nothing was written')
end
