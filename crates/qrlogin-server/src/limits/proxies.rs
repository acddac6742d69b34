//! Which address a request comes from. Requests from `--trusted-proxies` (or loopback,
//! with `--trust-proxy`) were forwarded by a proxy of ours, which appends the address
//! it saw to `X-Forwarded-For`; everything left of that was written by the client and
//! proves nothing. So the client is the right-most entry that is not one of our
//! proxies. Without trusted proxies the header is ignored: behind a proxy, every client
//! then has the proxy's address (and shares its limits).

use ipnet::IpNet;
use std::net::IpAddr;

/// The proxies whose `X-Forwarded-For` is believed.
#[derive(Debug, Clone, Default)]
pub struct TrustedProxies(Vec<IpNet>);

/// Loopback, what `--trust-proxy` trusts: `127.0.0.0/8` and `::1`.
pub fn loopback() -> Vec<IpNet> {
    ["127.0.0.0/8", "::1/128"]
        .iter()
        .filter_map(|s| s.parse().ok())
        .collect()
}

/// Parses `CIDR[,CIDR…]`; a bare address is a single-address network.
pub fn parse_list(s: &str) -> Result<Vec<IpNet>, String> {
    s.split(',')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(parse_net)
        .collect()
}

/// Parses one CIDR network, or a bare address as a single-address network.
pub fn parse_net(p: &str) -> Result<IpNet, String> {
    let p = p.trim();
    p.parse::<IpNet>()
        .or_else(|_| p.parse::<IpAddr>().map(IpNet::from))
        .map_err(|_| format!("{p:?} is not a CIDR network or an IP address"))
}

impl TrustedProxies {
    /// Trusts `nets`.
    pub fn new(nets: Vec<IpNet>) -> Self {
        Self(nets)
    }

    /// Whether `ip` is one of our proxies (an IPv4-mapped IPv6 address counts as IPv4).
    pub fn trusts(&self, ip: IpAddr) -> bool {
        let ip = ip.to_canonical();
        self.0.iter().any(|n| n.contains(&ip))
    }

    /// The client's address: `peer` (the socket's) unless it is a trusted proxy, then
    /// the right-most untrusted entry of the `X-Forwarded-For` values, in order. An
    /// entry that is no address stops the walk at the last trusted hop.
    pub fn client_ip<'a>(
        &self,
        peer: IpAddr,
        forwarded_for: impl Iterator<Item = &'a str>,
    ) -> IpAddr {
        let mut client = peer.to_canonical();
        if !self.trusts(client) {
            return client;
        }
        let entries: Vec<&str> = forwarded_for.flat_map(|v| v.split(',')).collect();
        for entry in entries.iter().rev() {
            let Ok(ip) = entry.trim().parse::<IpAddr>() else {
                return client;
            };
            client = ip.to_canonical();
            if !self.trusts(client) {
                return client;
            }
        }
        client
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn the_client_is_the_right_most_address_our_proxies_did_not_write() {
        let p = TrustedProxies::new(parse_list("10.0.0.0/8, 127.0.0.1").unwrap());
        let xff = ["192.168.1.20, 203.0.113.9", "10.1.2.3"];
        assert_eq!(
            p.client_ip(ip("127.0.0.1"), xff.into_iter()),
            ip("203.0.113.9")
        );
        assert_eq!(
            p.client_ip(ip("198.51.100.1"), xff.into_iter()),
            ip("198.51.100.1")
        );
        assert_eq!(
            p.client_ip(ip("10.0.0.1"), ["junk, 10.2.2.2"].into_iter()),
            ip("10.2.2.2")
        );
        assert_eq!(
            p.client_ip(ip("10.0.0.1"), std::iter::empty()),
            ip("10.0.0.1")
        );
    }

    #[test]
    fn without_trusted_proxies_the_header_is_ignored() {
        let p = TrustedProxies::default();
        assert_eq!(
            p.client_ip(ip("127.0.0.1"), ["1.2.3.4"].into_iter()),
            ip("127.0.0.1")
        );
        assert!(parse_list("10.0.0.0/33").is_err());
    }
}
