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
    /// Info column text; when `tcp_info` is set, what follows TCP's part.
    /// Read it with [`Columns::write_info`].
    info: String,
    /// TCP's part of the Info column, kept as numbers until the frame is
    /// printed: TCP writes most Info texts, and most are never shown (a
    /// display filter drops the frame) or replaced (HTTP's own text).
    tcp_info: Option<crate::protocols::tcp::InfoSummary>,
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
        self.tcp_info = None;
        self.dl_src = Address::None;
        self.dl_dst = Address::None;
        self.net_src = Address::None;
        self.net_dst = Address::None;
        self.writable = true;
    }

    /// Append the Info column's text.
    pub fn write_info(&self, out: &mut String) {
        if let Some(t) = &self.tcp_info {
            t.write(out);
        }
        out.push_str(&self.info);
    }

    /// The Info column in its two parts (TCP's, kept as numbers, then the
    /// text after it), to be written later with [`InfoSummary::write`].
    ///
    /// [`InfoSummary::write`]: crate::protocols::tcp::InfoSummary::write
    pub fn info_parts(&self) -> (Option<&crate::protocols::tcp::InfoSummary>, &str) {
        (self.tcp_info.as_ref(), &self.info)
    }

    /// The Info column's text.
    pub fn info_text(&self) -> String {
        let mut s = String::new();
        self.write_info(&mut s);
        s
    }

    /// Empty the Info column, to write a new one.
    pub(crate) fn info_reset(&mut self) -> &mut String {
        self.tcp_info = None;
        self.info.clear();
        &mut self.info
    }

    /// The Info column's text, to append to (after TCP's part, if any).
    pub(crate) fn info_tail(&mut self) -> &mut String {
        &mut self.info
    }

    /// Set TCP's part of the Info column, replacing all of it.
    pub(crate) fn set_tcp_info(&mut self, t: crate::protocols::tcp::InfoSummary) {
        self.info.clear();
        self.tcp_info = Some(t);
    }

    /// TCP's part of the Info column, while it is the whole of it.
    pub(crate) fn tcp_info_mut(&mut self) -> Option<&mut crate::protocols::tcp::InfoSummary> {
        if self.info.is_empty() { self.tcp_info.as_mut() } else { None }
    }

    /// Keep only TCP's analysis prefixes (`[TCP Retransmission] `): an upper
    /// protocol's text replaces the rest.
    pub(crate) fn keep_tcp_prefixes(&mut self) -> &mut String {
        if let Some(t) = &mut self.tcp_info {
            t.prefixes_only();
        }
        self.info.clear();
        &mut self.info
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
