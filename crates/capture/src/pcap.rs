//! The libpcap file format.
//!
//! ```text
//! file header (24 bytes)                 record header (16 bytes; 24 in the modified format)
//! +-------------+-----+-----+            +---------+-----------+--------+---------+
//! | magic       | maj | min |            | ts_sec  | ts_frac   | caplen | origlen |
//! | thiszone    | sigfigs   |            +---------+-----------+--------+---------+
//! | snaplen     | linktype  |            modified: + ifindex(4) protocol(2) pkt_type(1) pad(1)
//! +-------------+-----------+
//! ```
//! Magic a1b2c3d4 = microseconds, a1b23c4d = nanoseconds, a1b2cd34 = Kuznetzov's
//! modified format; each in either byte order. Reference: draft-ietf-opsawg-pcap.

use wirecrab_core::{LinkType, Timestamp};

use crate::FileFormat;

/// The parsed file header.
#[derive(Debug, Clone, Copy)]
pub struct PcapHeader {
    pub format: FileFormat,
    pub big_endian: bool,
    pub snaplen: u32,
    pub link_type: LinkType,
}

impl Default for PcapHeader {
    fn default() -> Self {
        PcapHeader { format: FileFormat::PcapMicro, big_endian: false, snaplen: 0, link_type: LinkType::ETHERNET }
    }
}

/// One record header.
pub struct Record {
    pub ts: Timestamp,
    pub caplen: u32,
    pub origlen: u32,
}

impl PcapHeader {
    /// `None` when the magic is not pcap's; `Some(Err(n))` when fewer than `n`
    /// header bytes are present.
    pub fn parse(b: &[u8]) -> Option<Result<PcapHeader, usize>> {
        if b.len() < 4 {
            return None;
        }
        let le = u32::from_le_bytes([b[0], b[1], b[2], b[3]]);
        let be = u32::from_be_bytes([b[0], b[1], b[2], b[3]]);
        let (magic, big_endian) = match (le, be) {
            (m @ (0xa1b2c3d4 | 0xa1b23c4d | 0xa1b2cd34), _) => (m, false),
            (_, m @ (0xa1b2c3d4 | 0xa1b23c4d | 0xa1b2cd34)) => (m, true),
            _ => return None,
        };
        if b.len() < 24 {
            return Some(Err(24));
        }
        let rd = |o: usize| {
            let a = [b[o], b[o + 1], b[o + 2], b[o + 3]];
            if big_endian { u32::from_be_bytes(a) } else { u32::from_le_bytes(a) }
        };
        let format = match magic {
            0xa1b23c4d => FileFormat::PcapNano,
            0xa1b2cd34 => FileFormat::PcapModified,
            _ => FileFormat::PcapMicro,
        };
        // The upper bits of the link-type field carry FCS information (draft §4).
        let link_type = LinkType(rd(20) & 0x0fff_ffff & 0xffff);
        Some(Ok(PcapHeader { format, big_endian, snaplen: rd(16), link_type }))
    }

    /// Record header length for this file.
    pub fn record_header_len(&self) -> usize {
        if self.format == FileFormat::PcapModified { 24 } else { 16 }
    }

    /// Decode a record header (`b` holds at least `record_header_len` bytes).
    pub fn record(&self, b: &[u8]) -> Record {
        let rd = |o: usize| {
            let a = [b[o], b[o + 1], b[o + 2], b[o + 3]];
            if self.big_endian { u32::from_be_bytes(a) } else { u32::from_le_bytes(a) }
        };
        let secs = rd(0) as i64;
        let frac = rd(4) as u64;
        let nanos = if self.format == FileFormat::PcapNano { frac } else { frac * 1000 };
        Record { ts: Timestamp::new(secs, nanos), caplen: rd(8), origlen: rd(12) }
    }
}
