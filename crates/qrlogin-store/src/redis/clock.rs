//! Redis' clock as seen from this instance, so that a writing script can refuse to write
//! once its caller has stopped waiting for the answer.
//!
//! A store call gives up after [`RESPONSE_TIMEOUT`] per answer and [`OP_DEADLINE`] per
//! call and then reports "nothing was changed". A script that sits in Redis past that
//! point (a `CLIENT PAUSE WRITE` during a failover, a request delayed on the network)
//! would otherwise still write afterwards. So each writing script gets a `not_after` in
//! *Redis* milliseconds and checks it against Redis' own `TIME` before writing (see
//! `scripts/deadline.lua`): neither clock needs to be right, only the offset between
//! them, which is measured here.
//!
//! The offset is taken as a lower bound. `TIME` answers somewhere between sending (t0)
//! and receiving (t1), so `redis_time - t1` can only under-estimate the true offset,
//! which makes `not_after` early, never late. The local side is the monotonic clock, so
//! steps of this host's wall clock do not matter. On a Cluster every master is asked and
//! the smallest offset is kept, since a script runs on whichever master owns its key.
//! It is measured at connect, then every [`REFRESH_EVERY`] by a background task, and
//! again before the first write to a new Sentinel master.

use super::conn::{map_err, Any, OP_DEADLINE, RESPONSE_TIMEOUT};
use crate::{StoreError, StoreResult};
use redis::cluster_routing::{MultipleNodeRoutingInfo, RoutingInfo};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How long before the client gives up a script must have started to be allowed to
/// write: room for the script itself, the answer's way back and this process picking
/// it up. A reply slower than this after a script that started just in time is the one
/// case left where a 503 can still hide a write.
pub(crate) const MARGIN: Duration = Duration::from_millis(150);
/// How often the offset is measured again in the background.
pub(crate) const REFRESH_EVERY: Duration = Duration::from_secs(1);
/// How long a tighter (larger) lower bound is kept over a looser new one; after that the
/// newest (unless slow) wins, so a step of Redis' clock is followed within this time.
const KEEP_BEST_FOR: Duration = Duration::from_secs(2);
/// A sample whose round trip exceeds twice the current one's by more than this is
/// "slow" (delayed on the network, or queued behind a paused write on the shared
/// connection). Its bound may be loose by up to its round trip, which would make writes
/// look late for no reason, so it is taken only when nothing usable is left.
const SLOW_BY: Duration = Duration::from_millis(25);
/// Past this age a sample is not used: the write measures again first (after an outage,
/// Redis may be another host behind the same address now).
const TRUST_FOR: Duration = Duration::from_secs(4);

/// One measurement.
#[derive(Clone, Copy, Debug)]
struct Sample {
    /// Redis unix time in µs minus local µs since [`Clock::base`]: a lower bound.
    offset_us: i64,
    /// When it was taken (local).
    taken: Instant,
    /// Its round trip: how loose the bound may be.
    rtt: Duration,
    /// Which master connection it was taken on (see `Conn::get`): a sample from a
    /// previous Sentinel master says nothing about the new one's clock.
    generation: u64,
}

/// The offset of one [`RedisStore`](super::RedisStore).
pub(crate) struct Clock {
    base: Instant,
    best: Mutex<Option<Sample>>,
}

impl Clock {
    pub(crate) fn new() -> Clock {
        Clock {
            base: Instant::now(),
            best: Mutex::new(None),
        }
    }

    /// Local µs since `base`, rounded up (so offsets err low).
    fn local_us(&self, at: Instant) -> i64 {
        let d = at.saturating_duration_since(self.base);
        d.as_micros() as i64 + i64::from(!d.subsec_nanos().is_multiple_of(1000))
    }

    /// Measures the offset on `c` (taken on master connection `generation`) and keeps it
    /// if it is the best bound known.
    pub(crate) async fn measure(&self, c: &mut Any, generation: u64) -> StoreResult<()> {
        let t0 = Instant::now();
        let times = redis_times_us(c).await?;
        let t1 = Instant::now();
        let earliest = times
            .into_iter()
            .min()
            .ok_or_else(|| StoreError::Unavailable("no Redis node answered TIME".into()))?;
        self.offer(Sample {
            offset_us: earliest - self.local_us(t1),
            taken: t1,
            rtt: t1 - t0,
            generation,
        });
        Ok(())
    }

    /// Takes the new sample unless the current one (same master) is still usable and the
    /// new one is slow, or the current one is recent and tighter.
    fn offer(&self, s: Sample) {
        let mut best = self.best.lock().expect("clock lock poisoned");
        let keep = best.is_some_and(|b| {
            let age = s.taken.saturating_duration_since(b.taken);
            let slow = s.rtt > b.rtt * 2 + SLOW_BY;
            b.generation == s.generation
                && ((slow && age < TRUST_FOR)
                    || (age < KEEP_BEST_FOR && b.offset_us >= s.offset_us))
        });
        if !keep {
            *best = Some(s);
        }
    }

    fn usable(&self, generation: u64) -> Option<Sample> {
        let best = *self.best.lock().expect("clock lock poisoned");
        best.filter(|b| b.generation == generation && b.taken.elapsed() < TRUST_FOR)
    }

    /// The `not_after` (Redis unix ms) for a script about to be sent on `c`, in a call
    /// that gives up at `call_ends`: the last moment the script may start writing and
    /// still have its answer read. Measures first if no recent sample fits `c`.
    pub(crate) async fn not_after(
        &self,
        c: &mut Any,
        generation: u64,
        call_ends: Instant,
    ) -> StoreResult<i64> {
        let sample = match self.usable(generation) {
            Some(s) => s,
            None => {
                self.measure(c, generation).await?;
                self.usable(generation).ok_or_else(|| {
                    StoreError::Unavailable("the Redis master changed while measuring".into())
                })?
            }
        };
        let now = Instant::now();
        let gives_up = (now + RESPONSE_TIMEOUT).min(call_ends);
        match gives_up.checked_sub(MARGIN).filter(|u| *u > now) {
            Some(until) => Ok(self.not_after_from(sample, until)),
            None => Err(StoreError::Unavailable(
                "no time left in this call to write safely; nothing was sent".into(),
            )),
        }
    }

    /// `until` (local) in Redis unix ms, rounded down.
    fn not_after_from(&self, s: Sample, until: Instant) -> i64 {
        let d = until.saturating_duration_since(self.base).as_micros() as i64;
        (s.offset_us + d).div_euclid(1000)
    }
}

/// `TIME` of every node a script may run on, in unix µs, each rounded down.
async fn redis_times_us(c: &mut Any) -> StoreResult<Vec<i64>> {
    let time = redis::cmd("TIME");
    let answers: Vec<(i64, i64)> = match c {
        Any::Manager(m) => vec![time.query_async(m).await.map_err(map_err)?],
        Any::Cluster(cl) => {
            let all = RoutingInfo::MultiNode((MultipleNodeRoutingInfo::AllMasters, None));
            let v = tokio::time::timeout(OP_DEADLINE, cl.route_command(time, all))
                .await
                .map_err(|_| StoreError::Unavailable("Redis TIME timed out".into()))?
                .map_err(map_err)?;
            let per_node: Vec<(String, (i64, i64))> = redis::from_redis_value(v).map_err(|e| {
                StoreError::Unavailable(format!("a Redis master did not answer TIME: {e}"))
            })?;
            per_node.into_iter().map(|(_, t)| t).collect()
        }
    };
    Ok(answers
        .into_iter()
        .map(|(s, us)| s * 1_000_000 + us)
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(clock: &Clock, redis_us: i64, at: Instant, generation: u64) -> Sample {
        Sample {
            offset_us: redis_us - clock.local_us(at),
            taken: at,
            rtt: Duration::from_millis(1),
            generation,
        }
    }

    /// Whatever Redis' clock says (an hour ahead or behind this host's), `not_after` is
    /// Redis' reading plus the local time still left.
    #[test]
    fn not_after_follows_redis_clock_whatever_the_skew() {
        let clock = Clock::new();
        let t1 = clock.base + Duration::from_millis(10);
        for redis_ms in [1_700_000_000_000i64, 1_700_003_600_000, 1_699_996_400_000] {
            let s = sample(&clock, redis_ms * 1000, t1, 0);
            let until = t1 + Duration::from_millis(350);
            assert_eq!(clock.not_after_from(s, until), redis_ms + 350);
        }
    }

    /// A loose bound (a `TIME` answer that queued behind a paused write) does not
    /// replace a tighter recent one, but an old or other master's sample is replaced.
    #[test]
    fn a_tighter_recent_bound_is_kept_over_a_looser_one() {
        let clock = Clock::new();
        let t = clock.base + Duration::from_millis(10);
        clock.offer(sample(&clock, 5_000_000, t, 0));
        let late = t + Duration::from_millis(1000);
        // Redis said 1 000 ms later but we heard it 1 500 ms later: looser.
        clock.offer(sample(
            &clock,
            6_000_000,
            late + Duration::from_millis(500),
            0,
        ));
        assert_eq!(clock.best.lock().unwrap().unwrap().taken, t);
        // The same reading from a new master wins at once.
        clock.offer(sample(
            &clock,
            6_000_000,
            late + Duration::from_millis(500),
            1,
        ));
        assert_eq!(clock.best.lock().unwrap().unwrap().generation, 1);
        // After KEEP_BEST_FOR the newest wins even if looser...
        let much_later = late + KEEP_BEST_FOR + Duration::from_millis(600);
        clock.offer(sample(&clock, 7_000_000, much_later, 1));
        assert_eq!(clock.best.lock().unwrap().unwrap().taken, much_later);
        // ...unless it was slow (it queued behind a pause) and the current one is usable.
        let slow_at = much_later + KEEP_BEST_FOR;
        let slow = Sample {
            rtt: Duration::from_millis(300),
            ..sample(&clock, 8_000_000, slow_at, 1)
        };
        clock.offer(slow);
        assert_eq!(clock.best.lock().unwrap().unwrap().taken, much_later);
        clock.offer(Sample {
            taken: much_later + TRUST_FOR,
            ..slow
        });
        assert_eq!(clock.best.lock().unwrap().unwrap().rtt, slow.rtt);
    }
}
