//! Per-frame metadata delivered by capture sources.

use crate::{LinkType, Timestamp};

/// What a capture source knows about one frame, apart from its bytes.
#[derive(Debug, Clone, Default)]
pub struct FrameMeta {
    /// 1-based frame number in the capture.
    pub number: u64,
    /// Capture time.
    pub ts: Timestamp,
    /// False when the record carries no time (pcapng simple packet and custom blocks).
    pub has_ts: bool,
    /// Length on the wire.
    pub orig_len: u32,
    /// Captured length (bytes delivered).
    pub cap_len: u32,
    /// Link-layer type of the interface the frame came from.
    pub link_type: LinkType,
    /// Interface index (pcapng; 0 for pcap).
    pub interface: u32,
    /// Interface name (pcapng `if_name`), if the file gives one.
    pub interface_name: Option<std::sync::Arc<str>>,
    /// True when the frame came from a pcapng file (which has interfaces).
    pub pcapng: bool,
    /// Snapshot length of the interface (0 = unknown).
    pub snaplen: u32,
    /// Decimal digits of timestamp precision the source offers (6 = µs, 9 = ns).
    pub ts_digits: u8,
    /// Comments attached to the frame (pcapng `opt_comment`).
    pub comments: Vec<String>,
}
