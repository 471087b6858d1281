//! Link-layer header types (tcpdump.org `LINKTYPE_` values).

/// A link-layer header type. Open: unknown values are kept and named by number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct LinkType(pub u32);

impl LinkType {
    /// BSD loopback (4-byte host-order address family).
    pub const NULL: LinkType = LinkType(0);
    /// Ethernet II / 802.3.
    pub const ETHERNET: LinkType = LinkType(1);
    /// Raw IP on some old BSDs.
    pub const RAW_12: LinkType = LinkType(12);
    /// Raw IP on OpenBSD.
    pub const RAW_14: LinkType = LinkType(14);
    /// Raw IPv4 or IPv6.
    pub const RAW: LinkType = LinkType(101);
    /// OpenBSD loopback (4-byte network-order address family).
    pub const LOOP: LinkType = LinkType(108);
    /// Linux cooked capture v1.
    pub const LINUX_SLL: LinkType = LinkType(113);
    /// Raw IPv4.
    pub const IPV4: LinkType = LinkType(228);
    /// Raw IPv6.
    pub const IPV6: LinkType = LinkType(229);
    /// Linux cooked capture v2.
    pub const LINUX_SLL2: LinkType = LinkType(276);

    /// Not a link type: a pcapng custom block delivered as a frame, as
    /// Wireshark shows them (data = the 4-byte PEN followed by the custom data).
    pub const PCAPNG_CUSTOM: LinkType = LinkType(0xffff_0bad);
    /// The same for a custom block that must not be copied (block type 0x40000BAD).
    pub const PCAPNG_CUSTOM_NOCOPY: LinkType = LinkType(0xffff_4bad);

    /// The link type's short name, as libpcap names it (`EN10MB`...).
    pub fn name(self) -> String {
        let s = match self.0 {
            0 => "NULL",
            1 => "EN10MB",
            12 | 14 | 101 => "RAW",
            108 => "LOOP",
            113 => "LINUX_SLL",
            228 => "IPV4",
            229 => "IPV6",
            276 => "LINUX_SLL2",
            n => return format!("LINKTYPE_{n}"),
        };
        s.to_string()
    }

    /// The encapsulation name Wireshark shows for it (`Ethernet`...).
    pub fn description(self) -> String {
        let s = match self.0 {
            0 => "NULL/Loopback",
            1 => "Ethernet",
            12 | 14 | 101 | 228 | 229 => "Raw IP",
            108 => "OpenBSD loopback",
            113 => "Linux cooked-mode capture v1",
            276 => "Linux cooked-mode capture v2",
            n => return format!("Unknown link type {n}"),
        };
        s.to_string()
    }
}
