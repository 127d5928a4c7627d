//! IPv4 address ranges for `ipBlock` peers.
//!
//! Pods have no addresses in manifests, so an `ipBlock` describes only
//! addresses outside the cluster. The address space is cut into the atomic
//! intervals that every `cidr` and `except` boundary creates: within one
//! interval every policy behaves the same, so each is one external peer.
//! IPv6 blocks are validated but do not take part in the IPv4 analysis.

use std::net::{Ipv4Addr, Ipv6Addr};

/// An inclusive IPv4 interval.
pub type Range = (u32, u32);

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cidr {
    V4(u32, u8),
    V6(u128, u8),
}

impl Cidr {
    /// `net.ParseCIDR` as the API server validates it: an address (IPv4
    /// dotted quad without leading zeros, or IPv6) and a prefix length.
    /// Host bits may be set (`10.0.0.1/8` means `10.0.0.0/8`).
    pub fn parse(s: &str) -> Result<Cidr, String> {
        let (addr, len) = s
            .split_once('/')
            .ok_or_else(|| format!("{s:?} is not a valid CIDR: no prefix length (`/N`)"))?;
        let bad = || format!("{s:?} is not a valid CIDR");
        if len.is_empty() || len.len() > 3 || !len.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        let len: u8 = len.parse().map_err(|_| bad())?;
        if let Ok(v4) = addr.parse::<Ipv4Addr>() {
            if len > 32 {
                return Err(bad());
            }
            let bits = u32::from(v4);
            return Ok(Cidr::V4(mask4(bits, len), len));
        }
        if let Ok(v6) = addr.parse::<Ipv6Addr>() {
            if len > 128 {
                return Err(bad());
            }
            let bits = u128::from(v6);
            let m = if len == 0 {
                0
            } else {
                u128::MAX << (128 - u32::from(len))
            };
            return Ok(Cidr::V6(bits & m, len));
        }
        Err(bad())
    }

    pub fn prefix_len(&self) -> u8 {
        match *self {
            Cidr::V4(_, l) | Cidr::V6(_, l) => l,
        }
    }

    /// The IPv4 interval, if IPv4.
    pub fn range(&self) -> Option<Range> {
        match *self {
            Cidr::V4(base, len) => {
                let size = if len == 0 {
                    u32::MAX
                } else {
                    (1u32 << (32 - u32::from(len))) - 1
                };
                Some((base, base | size))
            }
            Cidr::V6(..) => None,
        }
    }

    /// Whether `other` is a strict subset of `self` (the API server's rule
    /// for `except`: inside the CIDR and with a longer prefix).
    pub fn strictly_contains(&self, other: &Cidr) -> bool {
        match (*self, *other) {
            (Cidr::V4(b, l), Cidr::V4(ob, ol)) => ol > l && mask4(ob, l) == b,
            (Cidr::V6(b, l), Cidr::V6(ob, ol)) => {
                let m = if l == 0 { 0 } else { u128::MAX << (128 - u32::from(l)) };
                ol > l && ob & m == b
            }
            _ => false,
        }
    }
}

fn mask4(bits: u32, len: u8) -> u32 {
    if len == 0 {
        0
    } else {
        bits & (u32::MAX << (32 - u32::from(len)))
    }
}

/// `cidr` minus its `except` entries, as sorted disjoint IPv4 intervals.
pub fn block_ranges(cidr: &Cidr, except: &[Cidr]) -> Vec<Range> {
    let Some(r) = cidr.range() else {
        return Vec::new();
    };
    let mut holes: Vec<Range> = except.iter().filter_map(Cidr::range).collect();
    holes.sort_unstable();
    let mut out = Vec::new();
    let mut cur = u64::from(r.0);
    for (lo, hi) in holes {
        if u64::from(hi) < cur || lo > r.1 {
            continue;
        }
        if u64::from(lo) > cur {
            out.push((cur as u32, lo - 1));
        }
        cur = u64::from(hi) + 1;
    }
    if cur <= u64::from(r.1) {
        out.push((cur as u32, r.1));
    }
    out
}

/// The atomic intervals of the whole IPv4 space cut at every start and
/// end of `blocks`.
pub fn atomic_intervals<'a>(blocks: impl IntoIterator<Item = &'a Range>) -> Vec<Range> {
    let mut cuts: Vec<u64> = vec![0, 1u64 << 32];
    for &(lo, hi) in blocks {
        cuts.push(u64::from(lo));
        cuts.push(u64::from(hi) + 1);
    }
    cuts.sort_unstable();
    cuts.dedup();
    cuts.windows(2).map(|w| (w[0] as u32, (w[1] - 1) as u32)).collect()
}

pub fn contains(ranges: &[Range], r: Range) -> bool {
    ranges.iter().any(|&(lo, hi)| lo <= r.0 && r.1 <= hi)
}

/// `first-last` as np-guard prints a range.
pub fn display(r: Range) -> String {
    format!("{}-{}", Ipv4Addr::from(r.0), Ipv4Addr::from(r.1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_validates_like_the_api_server() {
        assert_eq!(Cidr::parse("10.0.0.1/8").unwrap(), Cidr::V4(0x0a00_0000, 8));
        assert!(Cidr::parse("10.0.0.0").is_err());
        assert!(Cidr::parse("10.0.0.0/33").is_err());
        assert!(Cidr::parse("010.0.0.0/8").is_err());
        assert!(Cidr::parse("10.0.0/8").is_err());
        assert!(matches!(Cidr::parse("fd00::/8"), Ok(Cidr::V6(_, 8))));
        let all = Cidr::parse("0.0.0.0/0").unwrap();
        assert!(all.strictly_contains(&Cidr::parse("10.0.0.0/8").unwrap()));
        let ten = Cidr::parse("10.0.0.0/8").unwrap();
        assert!(!ten.strictly_contains(&ten), "equal is not a strict subset");
        assert!(!ten.strictly_contains(&Cidr::parse("11.0.0.0/16").unwrap()));
    }

    #[test]
    fn blocks_and_atoms() {
        let all = Cidr::parse("0.0.0.0/0").unwrap();
        let ex = [Cidr::parse("10.0.0.0/8").unwrap()];
        let b = block_ranges(&all, &ex);
        assert_eq!(
            b.iter().map(|&r| display(r)).collect::<Vec<_>>(),
            ["0.0.0.0-9.255.255.255", "11.0.0.0-255.255.255.255"]
        );
        let atoms = atomic_intervals(&b);
        assert_eq!(atoms.len(), 3);
        assert_eq!(display(atoms[1]), "10.0.0.0-10.255.255.255");
        assert!(contains(&b, atoms[2]) && !contains(&b, atoms[1]));
        assert_eq!(display(atomic_intervals(&[])[0]), "0.0.0.0-255.255.255.255");
    }
}
