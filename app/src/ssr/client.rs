//! The reader's network address, as the server's middleware found it (the
//! TCP peer, or the last hop our trusted proxies name), put on every
//! request so server functions and handlers count budgets and views by the
//! same rule.

use std::net::IpAddr;

/// The address a request came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientAddress(pub IpAddr);

impl ClientAddress {
    /// Who a budget (or a view) belongs to: the address itself for IPv4,
    /// its /64 for IPv6. One home or one host is routinely given a whole
    /// /64; counting single addresses would hand them 2^64 budgets.
    pub fn holder(self) -> String {
        match self.0.to_canonical() {
            IpAddr::V4(v4) => v4.to_string(),
            IpAddr::V6(v6) => {
                let [a, b, c, d, ..] = v6.segments();
                format!("{a:x}:{b:x}:{c:x}:{d:x}::/64")
            }
        }
    }

    /// The address of the request a server function is answering (the
    /// server's middleware puts it on every request); `None` outside one.
    pub fn of_request() -> Option<Self> {
        leptos::prelude::use_context::<http::request::Parts>()?
            .extensions
            .get::<Self>()
            .copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_ipv6_reader_is_their_slash_64() {
        let holder = |text: &str| ClientAddress(text.parse().unwrap()).holder();
        assert_eq!(holder("2001:db8:1:2:aaaa::1"), "2001:db8:1:2::/64");
        assert_eq!(
            holder("2001:db8:1:2:aaaa::1"),
            holder("2001:db8:1:2:ffff:ffff:ffff:ffff")
        );
        assert_ne!(holder("2001:db8:1:2:aaaa::1"), holder("2001:db8:1:3::1"));
        assert_eq!(holder("192.0.2.7"), "192.0.2.7");
        assert_eq!(
            holder("::ffff:192.0.2.7"),
            "192.0.2.7",
            "a mapped IPv4 address is that address"
        );
    }
}
