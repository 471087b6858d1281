//! The summary columns (Protocol, Source, Destination, Info).

use std::fmt::Write;

/// An address shown in the Source or Destination column.
/// Ordered by kind (none, MAC, IPv4, IPv6), then by bytes: flow tables use
/// the order to put a conversation's two endpoints in a canonical order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub enum Address {
    /// None known.
    #[default]
    None,
    /// A MAC address.
    Ether([u8; 6]),
    /// An IPv4 address.
    V4([u8; 4]),
    /// An IPv6 address.
    V6([u8; 16]),
}

impl Address {
    /// Append the address as tshark shows it (no name resolution).
    pub fn write(&self, out: &mut String) {
        match self {
            Address::None => {}
            Address::Ether(m) => crate::names::write_mac(out, m),
            Address::V4(a) => crate::names::write_v4(out, a),
            Address::V6(a) => {
                let _ = write!(out, "{}", std::net::Ipv6Addr::from(*a));
            }
        }
    }
}

/// The columns of one frame. Dissectors write them only when `enabled`.
#[derive(Debug, Default)]
pub struct Columns {
    /// Whether columns are computed at all.
    pub enabled: bool,
    /// Protocol column.
    pub protocol: String,
    /// Info column.
    pub info: String,
    /// Link-layer source (used when no network address is set).
    pub dl_src: Address,
    /// Link-layer destination.
    pub dl_dst: Address,
    /// Network-layer source.
    pub net_src: Address,
    /// Network-layer destination.
    pub net_dst: Address,
    /// When false, the Protocol and Info columns are frozen (inside an ICMP
    /// error's quoted packet, as Wireshark does).
    pub writable: bool,
}

impl Columns {
    /// Reset for a new frame.
    pub fn clear(&mut self) {
        self.protocol.clear();
        self.info.clear();
        self.dl_src = Address::None;
        self.dl_dst = Address::None;
        self.net_src = Address::None;
        self.net_dst = Address::None;
        self.writable = true;
    }

    /// The Source column's address.
    pub fn src(&self) -> Address {
        if self.net_src != Address::None { self.net_src } else { self.dl_src }
    }

    /// The Destination column's address.
    pub fn dst(&self) -> Address {
        if self.net_dst != Address::None { self.net_dst } else { self.dl_dst }
    }
}
