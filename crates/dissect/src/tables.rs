//! Dispatch tables: which protocol handles an EtherType, an IP protocol, a port.

use rustc_hash::FxHashMap as HashMap;

use crate::registry::Protocol;

/// The dispatch tables, filled by each protocol's `register`.
#[derive(Default)]
pub struct Tables {
    /// Link type → protocol.
    pub link: HashMap<u32, &'static Protocol>,
    /// EtherType → protocol.
    pub ethertype: HashMap<u16, &'static Protocol>,
    /// IP protocol number → protocol.
    pub ip_proto: HashMap<u8, &'static Protocol>,
    /// UDP port → protocol.
    pub udp_port: HashMap<u16, &'static Protocol>,
    /// TCP port → protocol.
    pub tcp_port: HashMap<u16, &'static Protocol>,
}

impl Tables {
    /// Handle a link type.
    pub fn link(&mut self, lt: u32, p: &'static Protocol) {
        self.link.insert(lt, p);
    }
    /// Handle an EtherType.
    pub fn ethertype(&mut self, t: u16, p: &'static Protocol) {
        self.ethertype.insert(t, p);
    }
    /// Handle an IP protocol number.
    pub fn ip_proto(&mut self, n: u8, p: &'static Protocol) {
        self.ip_proto.insert(n, p);
    }
    /// Handle a UDP port.
    pub fn udp_port(&mut self, port: u16, p: &'static Protocol) {
        self.udp_port.insert(port, p);
    }
    /// Handle a TCP port.
    pub fn tcp_port(&mut self, port: u16, p: &'static Protocol) {
        self.tcp_port.insert(port, p);
    }

    /// The handler for a port pair: lower port first, as Wireshark tries it.
    pub fn ports(map: &HashMap<u16, &'static Protocol>, a: u16, b: u16) -> Option<&'static Protocol> {
        let (lo, hi) = if a <= b { (a, b) } else { (b, a) };
        map.get(&lo).or_else(|| map.get(&hi)).copied()
    }
}
