//! Who is at the other end: the connection's peer, or — only when that peer is a configured trusted proxy — the
//! client that proxy names in `X-Forwarded-For`. Anyone can send the header, so it is believed only from a proxy
//! the operator listed (setting `trusted_proxies`), and read from the right: each trusted proxy appends the
//! address it received the request from, so the first address from the right that is not a trusted proxy is the
//! client.

use std::net::{IpAddr, SocketAddr};

use axum::http::HeaderMap;

/// Addresses and networks (CIDR, e.g. `10.0.0.0/8`) of the reverse proxies whose `X-Forwarded-For` is believed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustedProxies(Vec<(IpAddr, u8)>);

impl TrustedProxies {
    /// Reads `192.0.2.10`, `10.0.0.0/8`, `::1` or `fd00::/8`; an entry that is none of these is an error naming it.
    pub fn parse<S: AsRef<str>>(entries: &[S]) -> Result<TrustedProxies, String> {
        entries
            .iter()
            .map(|entry| {
                let entry = entry.as_ref().trim();
                let bad = || format!("trusted_proxies: {entry:?} is not an IP address or network (e.g. 10.0.0.0/8)");
                let (address, prefix) = entry.split_once('/').unwrap_or((entry, ""));
                let address: IpAddr = address.parse().map_err(|_| bad())?;
                let address = address.to_canonical();
                let width = if address.is_ipv4() { 32 } else { 128 };
                let prefix = match prefix {
                    "" => width,
                    p => p.parse::<u8>().ok().filter(|p| *p <= width).ok_or_else(bad)?,
                };
                Ok((address, prefix))
            })
            .collect::<Result<_, _>>()
            .map(TrustedProxies)
    }

    fn contains(&self, ip: IpAddr) -> bool {
        let ip = ip.to_canonical();
        self.0.iter().any(|(network, prefix)| match (network, ip) {
            (IpAddr::V4(n), IpAddr::V4(a)) => {
                let mask = u32::MAX.checked_shl(32 - u32::from(*prefix)).unwrap_or(0);
                u32::from(*n) & mask == u32::from(a) & mask
            }
            (IpAddr::V6(n), IpAddr::V6(a)) => {
                let mask = u128::MAX.checked_shl(128 - u32::from(*prefix)).unwrap_or(0);
                u128::from(*n) & mask == u128::from(a) & mask
            }
            _ => false,
        })
    }

    /// The client's address for a request from `peer` with these headers.
    pub fn client_address(&self, peer: Option<IpAddr>, headers: &HeaderMap) -> String {
        let Some(peer) = peer.map(|ip| ip.to_canonical()) else {
            return "unknown".to_string();
        };
        if !self.contains(peer) {
            return peer.to_string();
        }
        let forwarded: Vec<&str> = headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .map(str::trim)
            .collect();
        let mut client = peer;
        for hop in forwarded.iter().rev() {
            // A hop that is not an address cannot be trusted further; the last proxy is what is known.
            let Some(ip) = parse_hop(hop) else { break };
            client = ip;
            if !self.contains(ip) {
                break;
            }
        }
        client.to_string()
    }
}

/// An address as proxies write it: `192.0.2.1`, `2001:db8::1`, or with a port (`192.0.2.1:4711`, `[2001:db8::1]:80`).
fn parse_hop(hop: &str) -> Option<IpAddr> {
    hop.parse::<IpAddr>()
        .or_else(|_| hop.parse::<SocketAddr>().map(|s| s.ip()))
        .ok()
        .map(|ip| ip.to_canonical())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(forwarded: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert("x-forwarded-for", forwarded.parse().expect("header"));
        headers
    }

    fn ip(text: &str) -> Option<IpAddr> {
        text.parse().ok()
    }

    #[test]
    fn forwarded_for_is_ignored_unless_the_peer_is_a_trusted_proxy() {
        let none = TrustedProxies::default();
        assert_eq!(
            none.client_address(ip("203.0.113.9"), &headers("198.51.100.1")),
            "203.0.113.9"
        );
        let proxies = TrustedProxies::parse(&["10.0.0.0/8"]).expect("valid");
        assert_eq!(
            proxies.client_address(ip("203.0.113.9"), &headers("198.51.100.1")),
            "203.0.113.9",
            "an untrusted peer cannot name another client"
        );
    }

    #[test]
    fn the_client_is_the_first_address_from_the_right_that_is_not_a_trusted_proxy() {
        let proxies = TrustedProxies::parse(&["10.0.0.0/8", "192.0.2.7"]).expect("valid");
        // The client forged the first entry; the proxies appended the rest.
        let h = headers("1.2.3.4, 198.51.100.1, 10.1.1.1");
        assert_eq!(proxies.client_address(ip("192.0.2.7"), &h), "198.51.100.1");
        assert_eq!(
            proxies.client_address(ip("10.0.0.5"), &headers("198.51.100.1:4711")),
            "198.51.100.1"
        );
        assert_eq!(
            proxies.client_address(ip("10.0.0.5"), &HeaderMap::new()),
            "10.0.0.5",
            "without the header the proxy itself is the client"
        );
        assert_eq!(
            proxies.client_address(ip("10.0.0.5"), &headers("garbage, 10.0.0.6")),
            "10.0.0.6"
        );
    }

    #[test]
    fn ipv6_networks_and_mapped_ipv4_peers_are_recognised() {
        let proxies = TrustedProxies::parse(&["fd00::/8", "127.0.0.1"]).expect("valid");
        assert_eq!(
            proxies.client_address(ip("fd12::1"), &headers("2001:db8::5")),
            "2001:db8::5"
        );
        assert_eq!(
            proxies.client_address(ip("::ffff:127.0.0.1"), &headers("[2001:db8::6]:80")),
            "2001:db8::6"
        );
    }

    #[test]
    fn a_bad_trusted_proxy_entry_is_named() {
        let err = TrustedProxies::parse(&["10.0.0.0/33"]).expect_err("invalid");
        assert!(err.contains("10.0.0.0/33"), "{err}");
        assert!(TrustedProxies::parse(&["proxy.example"]).is_err());
        assert!(TrustedProxies::parse(&["0.0.0.0/0"]).is_ok());
    }
}
