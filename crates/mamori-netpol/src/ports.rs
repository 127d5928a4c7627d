//! Connection sets: for each protocol, a set of port ranges.

use std::fmt;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Protocol {
    Sctp,
    Tcp,
    Udp,
}

impl Protocol {
    /// np-guard's print order (SCTP, TCP, UDP) is also our index order.
    pub const ALL: [Protocol; 3] = [Protocol::Sctp, Protocol::Tcp, Protocol::Udp];

    pub fn parse(s: &str) -> Option<Protocol> {
        match s {
            "TCP" => Some(Protocol::Tcp),
            "UDP" => Some(Protocol::Udp),
            "SCTP" => Some(Protocol::Sctp),
            _ => None,
        }
    }

    /// Case-insensitive, for command-line input (`80/udp`).
    pub fn parse_loose(s: &str) -> Option<Protocol> {
        Protocol::parse(&s.to_ascii_uppercase())
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Protocol::Sctp => "SCTP",
            Protocol::Tcp => "TCP",
            Protocol::Udp => "UDP",
        }
    }

    fn index(self) -> usize {
        self as usize
    }
}

impl fmt::Display for Protocol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

pub const MIN_PORT: u16 = 1;
pub const MAX_PORT: u16 = 65535;

/// Sorted, disjoint, non-adjacent inclusive port ranges per protocol.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ConnSet {
    ranges: [Vec<(u16, u16)>; 3],
}

impl ConnSet {
    pub fn none() -> ConnSet {
        ConnSet::default()
    }

    pub fn all() -> ConnSet {
        let full = vec![(MIN_PORT, MAX_PORT)];
        ConnSet {
            ranges: [full.clone(), full.clone(), full],
        }
    }

    pub fn protocol(p: Protocol) -> ConnSet {
        ConnSet::range(p, MIN_PORT, MAX_PORT)
    }

    pub fn port(p: Protocol, port: u16) -> ConnSet {
        ConnSet::range(p, port, port)
    }

    pub fn range(p: Protocol, lo: u16, hi: u16) -> ConnSet {
        let mut c = ConnSet::none();
        if lo <= hi {
            c.ranges[p.index()].push((lo, hi));
        }
        c
    }

    pub fn is_empty(&self) -> bool {
        self.ranges.iter().all(Vec::is_empty)
    }

    pub fn is_all(&self) -> bool {
        self.ranges.iter().all(|r| r.as_slice() == [(MIN_PORT, MAX_PORT)])
    }

    pub fn contains(&self, p: Protocol, port: u16) -> bool {
        self.ranges[p.index()].iter().any(|&(lo, hi)| lo <= port && port <= hi)
    }

    pub fn ranges(&self, p: Protocol) -> &[(u16, u16)] {
        &self.ranges[p.index()]
    }

    pub fn add(&mut self, other: &ConnSet) {
        for i in 0..3 {
            if other.ranges[i].is_empty() || self.ranges[i].as_slice() == [(MIN_PORT, MAX_PORT)] {
                continue;
            }
            if self.ranges[i].is_empty() {
                // The common case in a matrix: nothing yet, copy.
                self.ranges[i].clone_from(&other.ranges[i]);
                continue;
            }
            let mut v: Vec<(u16, u16)> = self.ranges[i].iter().chain(&other.ranges[i]).copied().collect();
            v.sort_unstable();
            let mut out: Vec<(u16, u16)> = Vec::with_capacity(v.len());
            for (lo, hi) in v {
                match out.last_mut() {
                    Some(last) if u32::from(lo) <= u32::from(last.1) + 1 => last.1 = last.1.max(hi),
                    _ => out.push((lo, hi)),
                }
            }
            self.ranges[i] = out;
        }
    }

    pub fn union(&self, other: &ConnSet) -> ConnSet {
        let mut c = self.clone();
        c.add(other);
        c
    }

    pub fn intersect(&self, other: &ConnSet) -> ConnSet {
        let mut c = ConnSet::none();
        for i in 0..3 {
            let (a, b) = (&self.ranges[i], &other.ranges[i]);
            let (mut x, mut y) = (0, 0);
            while x < a.len() && y < b.len() {
                let lo = a[x].0.max(b[y].0);
                let hi = a[x].1.min(b[y].1);
                if lo <= hi {
                    c.ranges[i].push((lo, hi));
                }
                if a[x].1 < b[y].1 {
                    x += 1;
                } else {
                    y += 1;
                }
            }
        }
        c
    }

    pub fn subtract(&self, other: &ConnSet) -> ConnSet {
        let mut c = ConnSet::none();
        for i in 0..3 {
            for &(lo, hi) in &self.ranges[i] {
                let mut cur = u32::from(lo);
                for &(olo, ohi) in &other.ranges[i] {
                    if u32::from(ohi) < cur || olo > hi {
                        continue;
                    }
                    if u32::from(olo) > cur {
                        c.ranges[i].push((cur as u16, olo - 1));
                    }
                    cur = u32::from(ohi) + 1;
                }
                if cur <= u32::from(hi) {
                    c.ranges[i].push((cur as u16, hi));
                }
            }
        }
        c
    }
}

impl fmt::Display for ConnSet {
    /// np-guard's grammar: `All Connections`, `No Connections`, or
    /// `TCP 53,8080-8090,UDP 53` (protocols SCTP, TCP, UDP; a full
    /// protocol as `TCP 1-65535`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_all() {
            return f.write_str("All Connections");
        }
        if self.is_empty() {
            return f.write_str("No Connections");
        }
        let mut parts = Vec::new();
        for p in Protocol::ALL {
            let r = &self.ranges[p.index()];
            if r.is_empty() {
                continue;
            }
            let ports: Vec<String> = r
                .iter()
                .map(|&(lo, hi)| if lo == hi { lo.to_string() } else { format!("{lo}-{hi}") })
                .collect();
            parts.push(format!("{p} {}", ports.join(",")));
        }
        f.write_str(&parts.join(","))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn union_merges_adjacent_and_prints_like_np_guard() {
        let mut c = ConnSet::port(Protocol::Udp, 53);
        c.add(&ConnSet::range(Protocol::Tcp, 10053, 10053));
        c.add(&ConnSet::port(Protocol::Tcp, 10054));
        assert_eq!(c.to_string(), "TCP 10053-10054,UDP 53");
        assert_eq!(ConnSet::all().to_string(), "All Connections");
        assert_eq!(ConnSet::none().to_string(), "No Connections");
        let mut s = ConnSet::protocol(Protocol::Sctp).subtract(&ConnSet::port(Protocol::Sctp, 9003));
        s.add(&ConnSet::protocol(Protocol::Tcp));
        assert_eq!(s.to_string(), "SCTP 1-9002,9004-65535,TCP 1-65535");
    }

    #[test]
    fn intersect_and_contains() {
        let a = ConnSet::range(Protocol::Tcp, 1, 100);
        let b = ConnSet::range(Protocol::Tcp, 50, 200).union(&ConnSet::port(Protocol::Udp, 53));
        let i = a.intersect(&b);
        assert_eq!(i.to_string(), "TCP 50-100");
        assert!(i.contains(Protocol::Tcp, 80) && !i.contains(Protocol::Udp, 53));
        assert!(ConnSet::all().intersect(&ConnSet::none()).is_empty());
    }
}
