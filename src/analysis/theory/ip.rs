//! Addresses against CIDR networks (`IpAddress`, `NotIpAddress`).
//!
//! Two networks are nested or disjoint, so the positive networks meet in the most
//! specific of them or not at all; the negative ones are intervals to step over, lowest
//! first, which gives the lowest address left. IPv4 and IPv6 are separate families: an
//! address of one never lies in a network of the other, IPv4-mapped IPv6 included, as
//! `condition/ip.rs` decides
//! (<https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_IPAddress>).

use super::super::deps::IpNet;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// A network as an interval of one family; IPv4 addresses are kept in a `u128` too.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Span {
    v6: bool,
    lo: u128,
    hi: u128,
}

fn span(net: &IpNet) -> Span {
    match net.bounds() {
        (IpAddr::V4(a), IpAddr::V4(b)) => Span {
            v6: false,
            lo: u128::from(u32::from(a)),
            hi: u128::from(u32::from(b)),
        },
        (IpAddr::V4(a), IpAddr::V6(b)) | (IpAddr::V6(b), IpAddr::V4(a)) => Span {
            // Not produced by `bounds`; an empty span keeps this total.
            v6: false,
            lo: u128::from(u32::from(a))
                .max(u128::from(b))
                .saturating_add(1),
            hi: 0,
        },
        (IpAddr::V6(a), IpAddr::V6(b)) => Span {
            v6: true,
            lo: u128::from(a),
            hi: u128::from(b),
        },
    }
}

fn addr(v6: bool, x: u128) -> IpAddr {
    if v6 {
        IpAddr::V6(Ipv6Addr::from(x))
    } else {
        IpAddr::V4(Ipv4Addr::from(u32::try_from(x).unwrap_or(u32::MAX)))
    }
}

/// Finds the lowest address inside every network marked `true` and outside every
/// network marked `false`, IPv4 before IPv6. On failure, returns the indexes of an
/// inconsistent subset.
pub(crate) fn solve(cons: &[(IpNet, bool)]) -> Result<IpAddr, Vec<usize>> {
    let spans: Vec<(Span, bool, usize)> = cons
        .iter()
        .enumerate()
        .map(|(i, (n, holds))| (span(n), *holds, i))
        .collect();
    // The most specific positive network; every other positive one must contain it.
    let mut inner: Option<(Span, usize)> = None;
    for &(s, holds, i) in &spans {
        if !holds {
            continue;
        }
        inner = match inner {
            None => Some((s, i)),
            Some((t, j)) => {
                let nested_in_t = s.v6 == t.v6 && t.lo <= s.lo && s.hi <= t.hi;
                let contains_t = s.v6 == t.v6 && s.lo <= t.lo && t.hi <= s.hi;
                if nested_in_t {
                    Some((s, i))
                } else if contains_t {
                    Some((t, j))
                } else {
                    return Err(vec![j, i]);
                }
            }
        };
    }
    let ranges: Vec<(Span, Option<usize>)> = match inner {
        Some((s, i)) => vec![(s, Some(i))],
        None => vec![
            (
                Span {
                    v6: false,
                    lo: 0,
                    hi: u128::from(u32::MAX),
                },
                None,
            ),
            (
                Span {
                    v6: true,
                    lo: 0,
                    hi: u128::MAX,
                },
                None,
            ),
        ],
    };
    let mut core: Vec<usize> = Vec::new();
    for (range, defined_by) in ranges {
        let mut holes: Vec<(Span, usize)> = spans
            .iter()
            .filter(|(s, holds, _)| !holds && s.v6 == range.v6)
            .map(|&(s, _, i)| (s, i))
            .collect();
        holes.sort_by_key(|(s, i)| (s.lo, *i));
        let mut cur = Some(range.lo);
        let mut used = Vec::new();
        for (h, i) in holes {
            let Some(c) = cur else { break };
            if h.lo > c {
                break;
            }
            if h.hi >= c {
                used.push(i);
                cur = h.hi.checked_add(1);
            }
        }
        match cur {
            Some(c) if c <= range.hi => return Ok(addr(range.v6, c)),
            _ => {
                core.extend(defined_by);
                core.extend(used);
            }
        }
    }
    core.sort_unstable();
    core.dedup();
    Err(core)
}

/// Spellings of an address that all read back as `a`: the canonical text, then with the
/// single-address prefix.
pub(crate) fn addr_spellings(a: IpAddr) -> Vec<String> {
    let s = a.to_string();
    let p = match a {
        IpAddr::V4(_) => format!("{s}/32"),
        IpAddr::V6(_) => format!("{s}/128"),
    };
    vec![s, p]
}

#[cfg(test)]
mod tests {
    use super::super::super::deps::{parse_addr, parse_net};
    use super::*;
    use proptest::prelude::*;

    fn net(s: &str) -> IpNet {
        parse_net(s).unwrap()
    }

    #[test]
    fn ip_table() {
        let x = |c: &[(&str, bool)]| {
            let cons: Vec<(IpNet, bool)> = c.iter().map(|&(s, h)| (net(s), h)).collect();
            solve(&cons).map(|a| a.to_string())
        };
        assert_eq!(x(&[]), Ok("0.0.0.0".into()));
        assert_eq!(x(&[("203.0.113.0/24", true)]), Ok("203.0.113.0".into()));
        assert_eq!(
            x(&[("203.0.113.0/24", true), ("203.0.113.0/25", false)]),
            Ok("203.0.113.128".into())
        );
        assert_eq!(
            x(&[("203.0.113.0/24", true), ("198.51.100.0/24", true)]),
            Err(vec![0, 1])
        );
        assert_eq!(x(&[("0.0.0.0/0", false)]), Ok("::".into()));
        assert_eq!(x(&[("0.0.0.0/0", false), ("::/0", false)]), Err(vec![0, 1]));
        // IPv4-mapped IPv6 is not IPv4.
        assert_eq!(
            x(&[("::ffff:0:0/96", true), ("0.0.0.0/0", false)]),
            Ok("::ffff:0.0.0.0".into())
        );
        assert_eq!(x(&[("10.0.0.0/8", true), ("::/0", true)]), Err(vec![0, 1]));
        assert_eq!(
            x(&[
                ("10.0.0.0/8", true),
                ("10.0.0.0/9", false),
                ("10.128.0.0/9", false)
            ]),
            Err(vec![0, 1, 2])
        );
    }

    fn small_net() -> impl Strategy<Value = IpNet> {
        prop_oneof![
            (0u8..4, 28u8..=32).prop_map(|(x, p)| net(&format!("10.0.0.{x}/{p}"))),
            (0u8..4, 124u8..=128).prop_map(|(x, p)| net(&format!("::{x}/{p}"))),
        ]
    }

    proptest! {
        /// Against enumeration of the first addresses of both families: the witness is in
        /// the positive networks and none of the negative ones (checked with the
        /// evaluator's `contains`), and when none is found, the core admits no address.
        #[test]
        fn agrees_with_enumeration(cons in prop::collection::vec((small_net(), any::<bool>()), 0..5)) {
            let ok = |c: &[(IpNet, bool)], a: IpAddr| c.iter().all(|(n, h)| n.contains(a) == *h);
            let candidates: Vec<IpAddr> = (0u32..16)
                .map(|x| IpAddr::V4(Ipv4Addr::from(0x0a00_0000 | x)))
                .chain((0u128..16).map(|x| IpAddr::V6(Ipv6Addr::from(x))))
                .chain([IpAddr::V4(Ipv4Addr::from(0)), IpAddr::V4(Ipv4Addr::from(u32::MAX)), IpAddr::V6(Ipv6Addr::from(u128::MAX))])
                .collect();
            match solve(&cons) {
                Ok(a) => {
                    prop_assert!(ok(&cons, a));
                    for s in addr_spellings(a) {
                        prop_assert_eq!(parse_addr(&s), Some(a));
                    }
                    // Lowest: no smaller candidate of the same family works.
                    for &b in &candidates {
                        if b.is_ipv4() == a.is_ipv4() && b < a {
                            prop_assert!(!ok(&cons, b), "{} is lower than {}", b, a);
                        }
                    }
                }
                Err(core) => {
                    let sub: Vec<(IpNet, bool)> = core.iter().map(|&i| cons[i]).collect();
                    for &b in &candidates {
                        prop_assert!(!ok(&sub, b), "{} satisfies the core", b);
                    }
                }
            }
        }
    }
}
