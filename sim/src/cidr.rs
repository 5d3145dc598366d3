//! IPv4 CIDR blocks: parsing, containment, overlap and address allocation.
//!
//! Written out rather than pulled from a crate because the simulator needs
//! only these few operations, with the cloud's own rules (canonical blocks).

use std::fmt;
use std::net::{IpAddr, Ipv4Addr};

/// An IPv4 block, canonical (no host bits set).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ipv4Net {
    addr: u32,
    prefix: u8,
}

impl Ipv4Net {
    /// Parse `a.b.c.d/n`. Host bits must be zero, as with real clouds that
    /// reject `10.0.0.1/16` rather than guess what was meant.
    pub fn parse(s: &str) -> Result<Ipv4Net, String> {
        let (addr, prefix) = s
            .split_once('/')
            .ok_or_else(|| format!("{s} is not a CIDR block (a.b.c.d/n)"))?;
        let addr: Ipv4Addr = addr
            .parse()
            .map_err(|_| format!("{s} is not a CIDR block (a.b.c.d/n)"))?;
        let prefix: u8 = prefix
            .parse()
            .ok()
            .filter(|p| *p <= 32 && !prefix.starts_with('+'))
            .ok_or_else(|| format!("{s}: the prefix length must be 0..=32"))?;
        let net = Ipv4Net {
            addr: u32::from(addr),
            prefix,
        };
        if net.addr & !net.mask() != 0 {
            return Err(format!(
                "{s} has host bits set; did you mean {}?",
                Ipv4Net {
                    addr: net.addr & net.mask(),
                    prefix
                }
            ));
        }
        Ok(net)
    }

    pub fn prefix(&self) -> u8 {
        self.prefix
    }

    fn mask(&self) -> u32 {
        if self.prefix == 0 {
            0
        } else {
            u32::MAX << (32 - self.prefix)
        }
    }

    /// First address of the block.
    pub fn first(&self) -> u32 {
        self.addr
    }

    /// Last address of the block.
    pub fn last(&self) -> u32 {
        self.addr | !self.mask()
    }

    /// Whether `other` lies entirely inside this block.
    pub fn contains_net(&self, other: &Ipv4Net) -> bool {
        other.first() >= self.first() && other.last() <= self.last()
    }

    /// Whether the two blocks share an address.
    pub fn overlaps(&self, other: &Ipv4Net) -> bool {
        self.first() <= other.last() && other.first() <= self.last()
    }

    /// Addresses instances may get: the network address, the next three
    /// (router, DNS, reserved) and the broadcast address are the cloud's.
    pub fn host_range(&self) -> std::ops::RangeInclusive<u32> {
        let first = self.first().saturating_add(4);
        let last = self.last().saturating_sub(1);
        first..=last
    }
}

impl fmt::Display for Ipv4Net {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", Ipv4Addr::from(self.addr), self.prefix)
    }
}

/// Whether `s` is a canonical IPv4 or IPv6 CIDR block, as security group
/// rules accept (`0.0.0.0/0`, `::/0`, `203.0.113.7/32`, ...).
pub fn valid_rule_cidr(s: &str) -> bool {
    if Ipv4Net::parse(s).is_ok() {
        return true;
    }
    let Some((addr, prefix)) = s.split_once('/') else {
        return false;
    };
    let (Ok(IpAddr::V6(addr)), Ok(prefix)) = (addr.parse::<IpAddr>(), prefix.parse::<u8>()) else {
        return false;
    };
    if prefix > 128 || s.contains('+') {
        return false;
    }
    let bits = u128::from(addr);
    let mask = if prefix == 0 {
        0
    } else {
        u128::MAX << (128 - prefix)
    };
    bits & !mask == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parsing() {
        let n = Ipv4Net::parse("10.0.0.0/16").unwrap();
        assert_eq!(n.prefix(), 16);
        assert_eq!(n.to_string(), "10.0.0.0/16");
        assert!(Ipv4Net::parse("10.0.0.1/16").is_err());
        assert!(Ipv4Net::parse("10.0.0.0/33").is_err());
        assert!(Ipv4Net::parse("10.0.0.0").is_err());
        assert!(Ipv4Net::parse("10.0.0/8").is_err());
        assert!(Ipv4Net::parse("10.0.0.0/+8").is_err());
        assert!(Ipv4Net::parse("0.0.0.0/0").is_ok());
    }

    #[test]
    fn relations() {
        let vpc = Ipv4Net::parse("10.0.0.0/16").unwrap();
        let a = Ipv4Net::parse("10.0.1.0/24").unwrap();
        let b = Ipv4Net::parse("10.0.1.128/25").unwrap();
        let c = Ipv4Net::parse("10.1.0.0/24").unwrap();
        assert!(vpc.contains_net(&a) && !vpc.contains_net(&c));
        assert!(a.overlaps(&b) && b.overlaps(&a) && !a.overlaps(&c));
        let r = a.host_range();
        assert_eq!(Ipv4Addr::from(*r.start()).to_string(), "10.0.1.4");
        assert_eq!(Ipv4Addr::from(*r.end()).to_string(), "10.0.1.254");
    }

    #[test]
    fn rule_cidrs() {
        assert!(valid_rule_cidr("0.0.0.0/0"));
        assert!(valid_rule_cidr("::/0"));
        assert!(valid_rule_cidr("2001:db8::/32"));
        assert!(!valid_rule_cidr("2001:db8::1/32"));
        assert!(!valid_rule_cidr("anywhere"));
    }
}
