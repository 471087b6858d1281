//! What a protocol dissector sees: the frame, the tree, the columns, the state.

use std::fmt::Write;

use wirecrab_core::{Buf, BufError, FieldDef, FrameMeta, Severity, Tree, Value};

use crate::engine::Needs;
use crate::columns::{Address, Columns};
use crate::registry::Protocol;
use crate::state::State;

/// Where the engine goes after a dissector returns.
#[derive(Debug, Clone)]
pub enum Next<'a> {
    /// Nothing follows.
    Done,
    /// Look the EtherType up in the ethertype table.
    Ethertype(u16, Buf<'a>),
    /// Look the IP protocol number up.
    IpProto(u8, Buf<'a>),
    /// Look the UDP ports up (lower port first, as Wireshark does).
    UdpPorts(u16, u16, Buf<'a>),
    /// Look the TCP ports up.
    TcpPorts(u16, u16, Buf<'a>),
    /// Call this protocol.
    Proto(&'static Protocol, Buf<'a>),
    /// Bytes nobody understands.
    Data(Buf<'a>),
    /// A reassembled IP payload (owned) for the protocol with this IP number.
    Reassembled(Vec<u8>, u8),
}

/// Facts about the packet that later layers need (set by earlier ones).
#[derive(Debug, Clone, Copy, Default)]
pub struct PacketInfo {
    /// Innermost network source address.
    pub net_src: Address,
    /// Innermost network destination address.
    pub net_dst: Address,
    /// TTL / hop limit of the innermost IP header.
    pub ttl: u8,
    /// Transport source port of the innermost transport header.
    pub src_port: u16,
    /// Transport destination port.
    pub dst_port: u16,
    /// True inside the payload quoted by an ICMP error.
    pub in_error: bool,
    /// Number of tunnel encapsulations entered so far.
    pub tunnel_depth: u8,
    /// An outermost Ethernet header was seen (padding and trailer are its).
    pub eth_outer: bool,
    /// Where the outermost network-layer datagram ends in the frame: the
    /// bytes after it are Ethernet padding or trailer.
    pub l3_end: Option<usize>,
}

/// The context passed to each dissector.
pub struct Ctx<'a, 's> {
    /// The field tree.
    pub tree: &'s mut Tree,
    /// The summary columns.
    pub cols: &'s mut Columns,
    /// Frame metadata.
    pub meta: &'s FrameMeta,
    /// The whole frame.
    pub data: &'a [u8],
    /// Cross-frame state (conversations, streams).
    pub state: &'s mut State,
    /// Facts for later layers.
    pub pinfo: PacketInfo,
    /// Protocol names for `frame.protocols`.
    pub layers: &'s mut Vec<&'static str>,
    /// Set when some layer found the packet malformed.
    pub malformed: bool,
    /// What this run needs computed (decided once, from its options).
    pub needs: &'s Needs,
}

impl<'a> Ctx<'a, '_> {
    /// Add a field holding an unsigned integer at `buf[off..off+len]`.
    #[inline]
    pub fn uint(&mut self, f: &'static FieldDef, buf: &Buf<'a>, off: usize, len: usize, v: u64) -> Option<usize> {
        self.tree.add(f, buf.base() + off, len, Value::U(v))
    }

    /// Add a boolean field.
    #[inline]
    pub fn flag(&mut self, f: &'static FieldDef, buf: &Buf<'a>, off: usize, len: usize, v: bool) -> Option<usize> {
        self.tree.add(f, buf.base() + off, len, Value::Bool(v))
    }

    /// Add a field whose value is its bytes.
    #[inline]
    pub fn bytes(&mut self, f: &'static FieldDef, buf: &Buf<'a>, off: usize, len: usize) -> Option<usize> {
        let len = len.min(buf.len().saturating_sub(off));
        if buf.is_detached() {
            let v = buf.bytes().get(off..off + len).unwrap_or(&[]);
            return self.tree.add(f, buf.base() + off, len, Value::OwnedBytes(v.into()));
        }
        self.tree.add(f, buf.base() + off, len, Value::Bytes)
    }

    /// Add a field whose value is its bytes read as text.
    #[inline]
    pub fn text(&mut self, f: &'static FieldDef, buf: &Buf<'a>, off: usize, len: usize) -> Option<usize> {
        let len = len.min(buf.len().saturating_sub(off));
        if buf.is_detached() {
            let v = buf.bytes().get(off..off + len).unwrap_or(&[]);
            return self.tree.add(f, buf.base() + off, len, Value::OwnedStr(String::from_utf8_lossy(v).into()));
        }
        self.tree.add(f, buf.base() + off, len, Value::Str)
    }

    /// Add any value.
    #[inline]
    pub fn add(&mut self, f: &'static FieldDef, buf: &Buf<'a>, off: usize, len: usize, v: Value) -> Option<usize> {
        self.tree.add(f, buf.base() + off, len, v)
    }

    /// Open a protocol's subtree: adds the protocol node covering `len` bytes
    /// of `buf` and goes one level deeper. Returns the node index.
    pub fn open(&mut self, f: &'static FieldDef, buf: &Buf<'a>, len: usize) -> Option<usize> {
        let len = len.min(buf.len());
        let idx = self.tree.add(f, buf.base(), len, Value::None);
        self.tree.enter();
        idx
    }

    /// Open a labelled subtree (text only in full mode).
    pub fn open_labeled(
        &mut self,
        f: &'static FieldDef,
        buf: &Buf<'a>,
        off: usize,
        len: usize,
        label: impl FnOnce(&mut String),
    ) -> Option<usize> {
        let idx = self.tree.add_labeled(f, buf.base() + off, len, Value::None, label);
        self.tree.enter();
        idx
    }

    /// Close the subtree opened last.
    #[inline]
    pub fn close(&mut self) {
        self.tree.leave();
    }

    /// Give node `idx` a label (only computed when the full tree is wanted).
    #[inline]
    pub fn label(&mut self, idx: Option<usize>, label: impl FnOnce(&mut String)) {
        // A node exists only when its field is wanted, so its label is too
        // (`-e ip` prints the protocol's label, as tshark does).
        if let Some(i) = idx {
            self.tree.set_label(i, label);
        }
    }

    /// Note where the outermost network-layer datagram in `buf` ends (`len`
    /// bytes from its start), for the Ethernet padding/trailer.
    pub fn set_l3_end(&mut self, buf: &Buf<'a>, len: usize) {
        if self.pinfo.l3_end.is_none() && self.pinfo.tunnel_depth == 0 && !self.pinfo.in_error && !buf.is_detached() {
            self.pinfo.l3_end = Some(buf.base().saturating_add(len));
        }
    }

    /// Record a protocol token for `frame.protocols`.
    #[inline]
    pub fn layer(&mut self, name: &'static str) {
        self.layers.push(name);
    }

    /// Set the Protocol column.
    #[inline]
    pub fn set_protocol(&mut self, p: &str) {
        if self.cols.enabled && self.cols.writable {
            self.cols.protocol.clear();
            self.cols.protocol.push_str(p);
        }
    }

    /// The Info column, cleared, when columns are wanted and writable.
    #[inline]
    pub fn info_set(&mut self) -> Option<&mut String> {
        if self.cols.enabled && self.cols.writable {
            Some(self.cols.info_reset())
        } else {
            None
        }
    }

    /// The Info column, to append to.
    #[inline]
    pub fn info(&mut self) -> Option<&mut String> {
        if self.cols.enabled && self.cols.writable { Some(self.cols.info_tail()) } else { None }
    }

    /// True when the Info and Protocol columns will be shown.
    #[inline]
    pub fn wants_cols(&self) -> bool {
        self.cols.enabled && self.cols.writable
    }

    /// Note that the packet is malformed (or cut by the snaplen) at this layer:
    /// Wireshark's `_ws.malformed` / "Packet size limited during capture".
    pub fn malformed(&mut self, protocol: &str, err: BufError) {
        if self.malformed {
            return;
        }
        self.malformed = true;
        match err {
            BufError::Truncated { .. } => {
                if let Some(i) = self.info() {
                    i.push_str("[Packet size limited during capture]");
                }
                self.tree.add(&crate::protocols::frame::SHORT, err_offset(err), 0, Value::None);
            }
            BufError::Malformed { .. } => {
                if let Some(i) = self.info() {
                    let _ = write!(i, "[Malformed Packet]");
                }
                self.tree.add(&crate::protocols::frame::MALFORMED, err_offset(err), 0, Value::None);
                let short = crate::Registry::get().protocol(protocol).map_or("?", |p| p.short);
                self.tree.expert(&crate::protocols::frame::MALFORMED_EXPERT, short, Severity::Error, "Malformed", "Malformed Packet (Exception occurred)".into());
            }
        }
    }

    /// Are expert items collected? For the detail tree and `-z expert`
    /// (which want `_ws.expert`), not for runs that only read fields.
    #[inline]
    pub fn wants_experts(&self) -> bool {
        self.tree.wants(&crate::protocols::frame::EXPERT)
    }

    /// Raise an expert item in the name of `protocol` (a short name such as
    /// `Ethertype`, where it is not the field's own protocol).
    pub fn expert_in(&mut self, protocol: &'static str, f: &'static FieldDef, sev: Severity, group: &'static str, msg: impl Into<String>) {
        if self.wants_experts() {
            self.tree.expert(f, protocol, sev, group, msg.into());
        }
    }

    /// Raise an expert item.
    pub fn expert(&mut self, f: &'static FieldDef, sev: Severity, group: &'static str, msg: impl Into<String>) {
        if self.wants_experts() {
            // The protocol whose filter name begins the field's (`tcp` for `tcp.analysis.*`).
            let prefix = f.abbrev.split('.').next().unwrap_or("");
            let short = crate::Registry::get().protocol(prefix).map_or("?", |p| p.short);
            self.tree.expert(f, short, sev, group, msg.into());
        }
    }
}

fn err_offset(e: BufError) -> usize {
    match e {
        BufError::Truncated { offset, .. } | BufError::Malformed { offset, .. } => offset,
    }
}

/// Hand `buf` to the protocol registered for EtherType `ty` without the
/// `ethertype` layer in `frame.protocols` (raw IP and BSD loopback have none).
pub fn direct_ethertype(ty: u16, buf: Buf<'_>) -> Next<'_> {
    match crate::Registry::get().tables.ethertype.get(&ty) {
        Some(p) => Next::Proto(p, buf),
        None => Next::Data(buf),
    }
}
