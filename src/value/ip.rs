//! Values of the `IpAddress` and `NotIpAddress` condition operators.
//!
//! AWS: <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_IPAddress>
//! ("The value must be in the standard CIDR format (for example, 203.0.113.0/24 or
//! 2001:DB8:1234:5678::/64)").
//!
//! Choices:
//! - Addresses use the standard library parsers: dotted-quad IPv4 without leading zeros
//!   (which some parsers read as octal), IPv6 per RFC 4291 §2.2 with `::` compression,
//!   either-case hex and an embedded dotted quad. No zone ids, no brackets, no spaces.
//! - The prefix length is decimal, 0–32 or 0–128, without sign or leading zeros.
//! - Host bits below the prefix (`203.0.113.5/24`) are accepted and cleared: AWS defines
//!   the range by the prefix alone, so the host bits carry no meaning.
//! - A request value may carry `/32` or `/128`: it still names one address. Any other
//!   prefix is not an address.
//! - Families never mix: an IPv4 address matches no IPv6 network and the reverse, including
//!   IPv4-mapped IPv6 (`::ffff:203.0.113.5`). This fails closed: an `IpAddress` Allow is
//!   not widened, a `NotIpAddress` Deny still applies.

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// An IPv4 or IPv6 network.
///
/// INVARIANT: bits below the prefix are zero and the prefix fits the family (≤ 32 / ≤ 128),
/// so the derived equality is network equality.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) struct IpNet(Net);

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Net {
    V4 { bits: u32, prefix: u8 },
    V6 { bits: u128, prefix: u8 },
}

fn mask_v4(prefix: u8) -> u32 {
    // A shift by the full width yields no mask bits (/0), not an overflow.
    u32::MAX
        .checked_shl(32 - u32::from(prefix.min(32)))
        .unwrap_or(0)
}

fn mask_v6(prefix: u8) -> u128 {
    u128::MAX
        .checked_shl(128 - u32::from(prefix.min(128)))
        .unwrap_or(0)
}

impl IpNet {
    /// The first and last addresses of the network, both of its family.
    pub(crate) fn bounds(&self) -> (IpAddr, IpAddr) {
        match self.0 {
            Net::V4 { bits, prefix } => (
                IpAddr::V4(Ipv4Addr::from(bits)),
                IpAddr::V4(Ipv4Addr::from(bits | !mask_v4(prefix))),
            ),
            Net::V6 { bits, prefix } => (
                IpAddr::V6(Ipv6Addr::from(bits)),
                IpAddr::V6(Ipv6Addr::from(bits | !mask_v6(prefix))),
            ),
        }
    }

    /// Whether `addr` lies in this network; never across address families.
    pub(crate) fn contains(&self, addr: IpAddr) -> bool {
        match (self.0, addr) {
            (Net::V4 { bits, prefix }, IpAddr::V4(a)) => u32::from(a) & mask_v4(prefix) == bits,
            (Net::V6 { bits, prefix }, IpAddr::V6(a)) => u128::from(a) & mask_v6(prefix) == bits,
            _ => false,
        }
    }
}

impl fmt::Display for IpNet {
    /// Canonical form, always with the prefix: `203.0.113.0/24`, `2001:db8::/32`
    /// (RFC 5952 lowercase and compression for IPv6).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Net::V4 { bits, prefix } => write!(f, "{}/{prefix}", Ipv4Addr::from(bits)),
            Net::V6 { bits, prefix } => write!(f, "{}/{prefix}", Ipv6Addr::from(bits)),
        }
    }
}

/// A prefix length: 1–3 decimal digits, no sign, no leading zero.
fn parse_prefix(s: &str) -> Option<u8> {
    let ok = (1..=3).contains(&s.len())
        && s.bytes().all(|b| b.is_ascii_digit())
        && (s == "0" || !s.starts_with('0'));
    if ok {
        s.parse().ok()
    } else {
        None
    }
}

/// Parses a policy value: an address with an optional `/prefix`.
///
/// # Errors
///
/// When the address is not IPv4 or IPv6, or the prefix is not a length the family allows.
pub(crate) fn parse_net(s: &str) -> Result<IpNet, &'static str> {
    let (addr, prefix) = match s.split_once('/') {
        Some((a, p)) => (
            a,
            Some(parse_prefix(p).ok_or("prefix length is not a number from 0 to 128")?),
        ),
        None => (s, None),
    };
    match addr.parse::<IpAddr>().map_err(|_| "not an IP address")? {
        IpAddr::V4(a) => {
            let prefix = prefix.unwrap_or(32);
            if prefix > 32 {
                return Err("prefix length out of range for IPv4 (0 to 32)");
            }
            Ok(IpNet(Net::V4 {
                bits: u32::from(a) & mask_v4(prefix),
                prefix,
            }))
        }
        IpAddr::V6(a) => {
            let prefix = prefix.unwrap_or(128);
            if prefix > 128 {
                return Err("prefix length out of range for IPv6 (0 to 128)");
            }
            Ok(IpNet(Net::V6 {
                bits: u128::from(a) & mask_v6(prefix),
                prefix,
            }))
        }
    }
}

/// Parses a request value: one address, optionally written `/32` or `/128`.
/// Allocation-free; `None` when `s` is not a single address.
pub(crate) fn parse_addr(s: &str) -> Option<IpAddr> {
    let (addr, prefix) = match s.split_once('/') {
        Some((a, p)) => (a, Some(p)),
        None => (s, None),
    };
    let addr = addr.parse::<IpAddr>().ok()?;
    match (addr, prefix) {
        (_, None) | (IpAddr::V4(_), Some("32")) | (IpAddr::V6(_), Some("128")) => Some(addr),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn ip_table() {
        // (network, request address, expected, rule pinned)
        let match_rows: &[(&str, &str, bool, &str)] = &[
            ("203.0.113.0/24", "203.0.113.5", true, "inside a /24"),
            ("203.0.113.0/24", "203.0.114.5", false, "outside a /24"),
            (
                "203.0.113.5/24",
                "203.0.113.200",
                true,
                "host bits in the network are cleared",
            ),
            (
                "0.0.0.0/0",
                "198.51.100.7",
                true,
                "/0 matches every IPv4 address",
            ),
            (
                "0.0.0.0/0",
                "2001:db8::1",
                false,
                "/0 IPv4 never matches IPv6",
            ),
            ("::/0", "2001:db8::1", true, "/0 matches every IPv6 address"),
            ("::/0", "203.0.113.5", false, "/0 IPv6 never matches IPv4"),
            ("203.0.113.5/32", "203.0.113.5", true, "/32 is one address"),
            ("203.0.113.5", "203.0.113.5", true, "bare IPv4 is /32"),
            (
                "203.0.113.5",
                "203.0.113.4",
                false,
                "bare IPv4 matches only itself",
            ),
            (
                "2001:DB8:1234:5678::/64",
                "2001:db8:1234:5678:abcd::1",
                true,
                "mixed-case hex",
            ),
            (
                "2001:db8:1234:5678::/64",
                "2001:db8:1234:5679::1",
                false,
                "outside a /64",
            ),
            (
                "2001:0db8:0000:0000:0000:0000:0000:0001/128",
                "2001:db8::1",
                true,
                "uncompressed IPv6",
            ),
            ("2001:db8::1", "2001:db8::2", false, "bare IPv6 is /128"),
            (
                "::ffff:0:0/96",
                "203.0.113.5",
                false,
                "IPv4-mapped network does not match IPv4",
            ),
            (
                "203.0.113.0/24",
                "::ffff:203.0.113.5",
                false,
                "IPv4-mapped address does not match IPv4",
            ),
            (
                "203.0.113.0/24",
                "203.0.113.5/32",
                true,
                "request value with /32",
            ),
            (
                "2001:db8::/32",
                "2001:db8::1/128",
                true,
                "request value with /128",
            ),
        ];
        for &(net, addr, want, rule) in match_rows {
            let n = parse_net(net).unwrap_or_else(|e| panic!("`{net}`: {e}"));
            let a = parse_addr(addr).unwrap_or_else(|| panic!("`{addr}` should parse"));
            assert_eq!(n.contains(a), want, "{net} contains {addr}: {rule}");
        }

        // (policy value, accepted, rule pinned)
        let net_rows: &[(&str, bool, &str)] = &[
            ("10.0.0.0/8", true, "IPv4 CIDR"),
            ("10.0.0.0/33", false, "IPv4 prefix above 32"),
            ("2001:db8::/129", false, "IPv6 prefix above 128"),
            ("10.0.0.0/", false, "empty prefix"),
            ("10.0.0.0/+8", false, "signed prefix"),
            ("10.0.0.0/08", false, "leading zero in prefix"),
            ("10.0.0.0/8/8", false, "two prefixes"),
            ("10.0.0.0 /8", false, "space"),
            ("010.0.0.0/8", false, "leading zero in octet"),
            ("10.0.0/8", false, "three octets"),
            ("256.0.0.0/8", false, "octet above 255"),
            ("2001:db8::1::2", false, "two :: compressions"),
            ("fe80::1%eth0", false, "zone id"),
            ("[2001:db8::1]", false, "brackets"),
            ("", false, "empty"),
            ("/8", false, "prefix alone"),
            ("١٠.0.0.0", false, "non-ASCII digits"),
        ];
        for &(s, ok, rule) in net_rows {
            assert_eq!(parse_net(s).is_ok(), ok, "`{s}`: {rule}");
        }

        // (request value, accepted, rule pinned)
        let addr_rows: &[(&str, bool, &str)] = &[
            ("203.0.113.5", true, "bare IPv4"),
            ("203.0.113.5/24", false, "a network is not an address"),
            ("2001:db8::1/64", false, "a network is not an address"),
            ("2001:db8::1/32", false, "/32 only for IPv4"),
            ("203.0.113.5/128", false, "/128 only for IPv6"),
            ("", false, "empty"),
        ];
        for &(s, ok, rule) in addr_rows {
            assert_eq!(parse_addr(s).is_some(), ok, "`{s}`: {rule}");
        }

        // (input, display, rule pinned)
        let display_rows: &[(&str, &str, &str)] = &[
            ("203.0.113.5/24", "203.0.113.0/24", "host bits cleared"),
            ("203.0.113.5", "203.0.113.5/32", "prefix always shown"),
            (
                "2001:0DB8:0000:0000:0000:0000:0000:0001",
                "2001:db8::1/128",
                "RFC 5952 form",
            ),
        ];
        for &(s, want, rule) in display_rows {
            assert_eq!(
                parse_net(s).map(|n| n.to_string()),
                Ok(want.to_owned()),
                "`{s}`: {rule}"
            );
        }
    }

    proptest! {
        #[test]
        fn contains_agrees_with_naive_v4(addr: u32, net: u32, prefix in 0u32..=32) {
            let n = parse_net(&format!("{}/{prefix}", Ipv4Addr::from(net))).unwrap();
            let naive = (0..prefix).all(|i| (addr >> (31 - i)) & 1 == (net >> (31 - i)) & 1);
            prop_assert_eq!(n.contains(IpAddr::V4(Ipv4Addr::from(addr))), naive);
            prop_assert_eq!(parse_net(&n.to_string()), Ok(n));
        }

        #[test]
        fn contains_agrees_with_naive_v6(addr: u128, net: u128, prefix in 0u32..=128) {
            let n = parse_net(&format!("{}/{prefix}", Ipv6Addr::from(net))).unwrap();
            let naive = (0..prefix).all(|i| (addr >> (127 - i)) & 1 == (net >> (127 - i)) & 1);
            prop_assert_eq!(n.contains(IpAddr::V6(Ipv6Addr::from(addr))), naive);
            prop_assert_eq!(parse_net(&n.to_string()), Ok(n));
        }

        #[test]
        fn parse_never_panics(s in "\\PC*|[0-9a-fA-F.:/]{0,50}") {
            let _ = parse_net(&s);
            let _ = parse_addr(&s);
        }
    }
}
