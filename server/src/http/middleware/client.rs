//! The reader's address, behind proxies we trust.
//!
//! Behind nginx or a cloud load balancer every connection comes from the
//! proxy, so the TCP peer says nothing about the reader: rate limits keyed
//! on it would put every reader in one budget. The proxy names the reader in
//! `X-Forwarded-For`. Anyone can send that header, so it is believed only
//! from a peer in `WARTA_TRUSTED_PROXIES`, and then read from the right:
//! the reader is the last hop that is not itself a trusted proxy (proxies
//! append; the leftmost entries are whatever the client claimed).

use std::{
    net::{IpAddr, SocketAddr},
    sync::Arc,
};

use axum::http::HeaderMap;
use ipnet::IpNet;

/// The networks whose `X-Forwarded-For` is believed. Empty: none, the peer
/// is the reader. Cheap to clone; put on every request as an extension.
#[derive(Debug, Clone, Default)]
pub struct TrustedProxies(Arc<[IpNet]>);

impl TrustedProxies {
    /// Parses a comma-separated list of addresses and networks
    /// (`127.0.0.1, 10.0.0.0/8, ::1`).
    pub fn parse(list: &str) -> Result<Self, String> {
        list.split(',')
            .map(str::trim)
            .filter(|item| !item.is_empty())
            .map(|item| {
                item.parse::<IpNet>()
                    .or_else(|_| item.parse::<IpAddr>().map(IpNet::from))
                    .map_err(|_| format!("`{item}` is not an address or a network"))
            })
            .collect::<Result<Vec<_>, _>>()
            .map(|nets| Self(nets.into()))
    }

    fn trusts(&self, address: IpAddr) -> bool {
        let address = address.to_canonical();
        self.0.iter().any(|net| net.contains(&address))
    }

    /// The reader's address for a request from `peer` with `headers`.
    pub fn client(&self, peer: IpAddr, headers: &HeaderMap) -> IpAddr {
        if !self.trusts(peer) {
            return peer.to_canonical();
        }
        let hops = headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|value| value.to_str().ok())
            .flat_map(|value| value.split(','))
            .map(|hop| address(hop.trim()))
            .collect::<Vec<_>>();
        let mut client = peer;
        for hop in hops.into_iter().rev() {
            match hop {
                Ok(address) if self.trusts(address) => client = address,
                Ok(address) => return address.to_canonical(),
                // Garbage from beyond our proxies: stop at the last one.
                Err(_) => break,
            }
        }
        client.to_canonical()
    }

    /// [`TrustedProxies::client`] from a request's extensions (the
    /// connection's address and this, as the router puts them) and headers.
    pub fn client_of(extensions: &axum::http::Extensions, headers: &HeaderMap) -> Option<IpAddr> {
        let axum::extract::ConnectInfo(peer) = extensions.get::<axum::extract::ConnectInfo<SocketAddr>>()?;
        let trusted = extensions.get::<Self>().cloned().unwrap_or_default();
        Some(trusted.client(peer.ip(), headers))
    }
}

/// An address as proxies write them in `X-Forwarded-For`: bare, or with
/// a port (`203.0.113.7:51234`, `[2001:db8::1]:443`), or bracketed.
fn address(hop: &str) -> Result<IpAddr, std::net::AddrParseError> {
    hop.parse::<IpAddr>()
        .or_else(|_| hop.parse::<SocketAddr>().map(|socket| socket.ip()))
        .or_else(|error| {
            hop.strip_prefix('[')
                .and_then(|rest| rest.strip_suffix(']'))
                .map_or(Err(error), str::parse)
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(forwarded: &[&str]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for value in forwarded {
            headers.append("x-forwarded-for", value.parse().unwrap());
        }
        headers
    }

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn forwarded_for_is_believed_only_from_a_trusted_proxy() {
        let trusted = TrustedProxies::parse("127.0.0.1, 10.0.0.0/8").unwrap();
        let claimed = headers(&["6.6.6.6"]);
        assert_eq!(
            trusted.client(ip("203.0.113.9"), &claimed),
            ip("203.0.113.9"),
            "a stranger's claim"
        );
        assert_eq!(trusted.client(ip("127.0.0.1"), &claimed), ip("6.6.6.6"));
        assert_eq!(
            TrustedProxies::default().client(ip("127.0.0.1"), &claimed),
            ip("127.0.0.1"),
            "nobody is trusted by default"
        );
    }

    #[test]
    fn the_reader_is_the_last_hop_that_is_not_a_proxy() {
        let trusted = TrustedProxies::parse("10.0.0.0/8,::1").unwrap();
        // The client forged the first entry; our two proxies appended.
        let chain = headers(&["1.1.1.1, 198.51.100.7", "10.0.0.5"]);
        assert_eq!(trusted.client(ip("10.0.0.6"), &chain), ip("198.51.100.7"));
        assert_eq!(trusted.client(ip("10.0.0.6"), &headers(&[])), ip("10.0.0.6"));
        assert_eq!(
            trusted.client(ip("10.0.0.6"), &headers(&["junk, 10.0.0.1"])),
            ip("10.0.0.1")
        );
        assert_eq!(
            trusted.client(ip("::ffff:10.0.0.6"), &headers(&["::ffff:192.0.2.1"])),
            ip("192.0.2.1"),
            "IPv4-mapped addresses are IPv4"
        );
        assert_eq!(
            trusted.client(ip("10.0.0.6"), &headers(&["203.0.113.7:51234"])),
            ip("203.0.113.7"),
            "a port, as some load balancers add"
        );
        assert_eq!(
            trusted.client(ip("10.0.0.6"), &headers(&["[2001:db8::1]:443, [2001:db8::2]"])),
            ip("2001:db8::2")
        );
        assert!(TrustedProxies::parse("10.0.0.0/33").is_err());
        assert!(TrustedProxies::parse("nginx").is_err());
    }
}
