//! The waiter cap: long polls, SSE streams and WebSockets held at once, overall
//! (`--max-waiters`; past it 503 `store_unavailable`, the instance is full) and per
//! client address (`--max-waiters-per-ip`; past it 429 `rate_limited`), so one address
//! cannot take every slot from the others. A slot is taken only by an authenticated
//! waiter (a WebSocket's first-message auth comes first) and given back on drop.

use crate::service::{Error, Result};
use qrlogin_core::ErrorCode;
use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

/// Seconds a refused waiter is told to wait.
const RETRY_SECS: u64 = 2;

/// The slots of this instance.
pub struct WaiterSlots {
    held: Arc<AtomicUsize>,
    /// Slots per address (an IPv6 address by its /64); entries leave at zero.
    per_ip: Mutex<HashMap<IpAddr, usize>>,
    max: usize,
    max_per_ip: usize,
}

/// One taken slot; given back on drop.
pub struct WaiterSlot {
    slots: Arc<WaiterSlots>,
    ip: Option<IpAddr>,
}

/// The key of an address: IPv4 whole, IPv6 by its /64.
fn key(ip: IpAddr) -> IpAddr {
    match ip.to_canonical() {
        IpAddr::V6(v6) => IpAddr::V6((u128::from(v6) & !((1u128 << 64) - 1)).into()),
        v4 => v4,
    }
}

impl WaiterSlots {
    /// Slots counted in `held` (the waiters gauge), `max` overall and `max_per_ip` per
    /// address.
    pub fn new(held: Arc<AtomicUsize>, max: usize, max_per_ip: usize) -> Self {
        Self {
            held,
            per_ip: Mutex::default(),
            max,
            max_per_ip,
        }
    }

    /// Takes a slot for a waiter from `ip` (`None`: an address unknown, only the
    /// overall cap applies).
    pub fn take(self: &Arc<Self>, ip: Option<IpAddr>) -> Result<WaiterSlot> {
        let ip = ip.map(key);
        if let Some(ip) = ip {
            let mut map = self.per_ip.lock().expect("waiter slots lock poisoned");
            let n = map.entry(ip).or_default();
            if *n >= self.max_per_ip {
                return Err(Error::new(
                    ErrorCode::RateLimited,
                    "too many waiting clients from this address",
                )
                .retry_after(RETRY_SECS));
            }
            *n += 1;
        }
        // From here on the slot exists, so a refusal below gives it back by dropping.
        let slot = WaiterSlot {
            slots: Arc::clone(self),
            ip,
        };
        if self.held.fetch_add(1, Ordering::Relaxed) >= self.max {
            return Err(Error::new(
                ErrorCode::StoreUnavailable,
                "this instance holds its maximum of waiting clients",
            )
            .retry_after(RETRY_SECS));
        }
        Ok(slot)
    }
}

impl Drop for WaiterSlot {
    fn drop(&mut self) {
        self.slots.held.fetch_sub(1, Ordering::Relaxed);
        if let Some(ip) = self.ip {
            let mut map = self
                .slots
                .per_ip
                .lock()
                .expect("waiter slots lock poisoned");
            if let Some(n) = map.get_mut(&ip) {
                *n -= 1;
                if *n == 0 {
                    map.remove(&ip);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_address_cannot_take_every_slot_and_slots_come_back() {
        let slots = Arc::new(WaiterSlots::new(Default::default(), 3, 2));
        let a: IpAddr = "10.0.0.1".parse().unwrap();
        let b: IpAddr = "2001:db8::1".parse().unwrap();
        let a1 = slots.take(Some(a)).unwrap();
        let _a2 = slots.take(Some(a)).unwrap();
        let e = slots.take(Some(a)).err().unwrap();
        assert_eq!(e.code, ErrorCode::RateLimited);
        let _b1 = slots.take(Some(b)).unwrap();
        let full = slots.take("2001:db9::1".parse().ok()).err().unwrap();
        assert_eq!(full.code, ErrorCode::StoreUnavailable);
        drop(a1);
        let _a3 = slots.take(Some(a)).unwrap();
        assert_eq!(slots.held.load(Ordering::Relaxed), 3);
    }
}
