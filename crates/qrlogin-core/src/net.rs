//! Whether two client addresses seem to be on one network, so the phone can warn when a
//! login request comes from somewhere else (a phishing page relaying a QR code shows up
//! as a different network).

use std::net::IpAddr;

/// `Some(true)` when `a` and `b` are the same public address (one NAT) or share a
/// private IPv4 /24 or an IPv6 /64; `Some(false)` when they clearly differ; `None` when
/// either is not an IP address (unknown).
pub fn same_network(a: &str, b: &str) -> Option<bool> {
    let (a, b): (IpAddr, IpAddr) = (a.parse().ok()?, b.parse().ok()?);
    Some(match (canonical(a), canonical(b)) {
        (x, y) if x == y => true,
        (IpAddr::V4(x), IpAddr::V4(y)) => {
            let private =
                |ip: std::net::Ipv4Addr| ip.is_private() || ip.is_loopback() || ip.is_link_local();
            private(x) && private(y) && x.octets()[..3] == y.octets()[..3]
        }
        (IpAddr::V6(x), IpAddr::V6(y)) => x.segments()[..4] == y.segments()[..4],
        _ => false,
    })
}

/// IPv4-mapped IPv6 addresses (`::ffff:1.2.3.4`, as dual-stack sockets report them)
/// compare as the IPv4 address they carry.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    }
}

#[cfg(test)]
mod tests {
    use super::same_network;

    #[test]
    fn one_public_address_or_one_private_subnet_is_the_same_network() {
        assert_eq!(same_network("203.0.113.7", "203.0.113.7"), Some(true));
        assert_eq!(same_network("192.168.1.20", "192.168.1.31"), Some(true));
        assert_eq!(same_network("::ffff:10.0.0.5", "10.0.0.9"), Some(true));
        assert_eq!(
            same_network("2001:db8:1:2::5", "2001:db8:1:2::9"),
            Some(true)
        );
    }

    #[test]
    fn different_public_addresses_are_different_networks() {
        assert_eq!(same_network("203.0.113.7", "203.0.113.8"), Some(false));
        assert_eq!(same_network("192.168.1.20", "192.168.2.20"), Some(false));
        assert_eq!(same_network("203.0.113.7", "2001:db8::1"), Some(false));
        assert_eq!(same_network("unknown", "203.0.113.7"), None);
    }
}
