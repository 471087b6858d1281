//! The pcapng block format (draft-ietf-opsawg-pcapng).
//!
//! ```text
//!  0                   1                   2                   3
//! +---------------------------------------------------------------+
//! |                          Block Type                           |
//! +---------------------------------------------------------------+
//! |                      Block Total Length                       |
//! +---------------------------------------------------------------+
//! /                          Block Body                           /
//! +---------------------------------------------------------------+
//! |                      Block Total Length                       |
//! +---------------------------------------------------------------+
//! ```
//! The section header's byte-order magic (1a2b3c4d) fixes the byte order of
//! every block up to the next section header. Interface ids are per section.

use wirecrab_core::{LinkType, Timestamp};

const SHB: u32 = 0x0a0d_0d0a;
const IDB: u32 = 1;
const OPB: u32 = 2;
const SPB: u32 = 3;
const EPB: u32 = 6;
const DSB: u32 = 0x0000_000a;

/// Byte order of a section.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SectionOrder {
    /// Little-endian section.
    Little,
    /// Big-endian section.
    Big,
}

impl SectionOrder {
    pub(crate) fn u16(self, b: &[u8]) -> u16 {
        let a = [b[0], b[1]];
        match self {
            SectionOrder::Little => u16::from_le_bytes(a),
            SectionOrder::Big => u16::from_be_bytes(a),
        }
    }

    pub(crate) fn u32(self, b: &[u8]) -> u32 {
        let a = [b[0], b[1], b[2], b[3]];
        match self {
            SectionOrder::Little => u32::from_le_bytes(a),
            SectionOrder::Big => u32::from_be_bytes(a),
        }
    }

    fn u64(self, b: &[u8]) -> u64 {
        let mut a = [0u8; 8];
        a.copy_from_slice(&b[..8]);
        match self {
            SectionOrder::Little => u64::from_le_bytes(a),
            SectionOrder::Big => u64::from_be_bytes(a),
        }
    }
}

/// The byte order announced by a section header's magic.
pub(crate) fn section_order(magic: &[u8]) -> Option<SectionOrder> {
    match magic {
        [0x4d, 0x3c, 0x2b, 0x1a] => Some(SectionOrder::Little),
        [0x1a, 0x2b, 0x3c, 0x4d] => Some(SectionOrder::Big),
        _ => None,
    }
}

/// An interface described by an IDB (or implied by a pcap header).
#[derive(Debug, Clone)]
pub struct Interface {
    /// Link type.
    pub link_type: LinkType,
    /// Snapshot length (0 = none).
    pub snaplen: u32,
    /// `if_name`.
    pub name: Option<std::sync::Arc<str>>,
    /// `if_description`.
    pub description: Option<String>,
    /// Timestamp units per second, as a power: `(base, exponent)` with base 10 or 2.
    pub tsresol: (u8, u8),
    /// `if_tsoffset`, seconds added to every timestamp.
    pub tsoffset: i64,
}

impl Default for Interface {
    fn default() -> Self {
        Interface { link_type: LinkType::ETHERNET, snaplen: 0, name: None, description: None, tsresol: (10, 6), tsoffset: 0 }
    }
}

impl Interface {
    /// Decimal digits needed to show this interface's timestamps (at most 9).
    pub fn ts_digits(&self) -> u8 {
        match self.tsresol {
            (2, e) => ((e as u32 * 30103).div_ceil(100_000)).min(9) as u8,
            (_, e) => e.min(9),
        }
    }

    /// Convert a raw 64-bit timestamp in this interface's units.
    pub fn timestamp(&self, raw: u64) -> Timestamp {
        let (secs, nanos) = match self.tsresol {
            (2, e) => {
                let e = e.min(63);
                let secs = raw >> e;
                let frac = (raw & ((1u64 << e) - 1)) as u128;
                (secs, ((frac * 1_000_000_000) >> e) as u64)
            }
            (_, e) => {
                let e = e.min(19) as u32;
                let div = 10u64.pow(e);
                let frac = raw % div;
                let nanos = if e <= 9 { frac * 10u64.pow(9 - e) } else { frac / 10u64.pow(e - 9) };
                (raw / div, nanos)
            }
        };
        Timestamp::new((secs as i64).saturating_add(self.tsoffset), nanos)
    }
}

/// Secrets from a Decryption Secrets Block, kept for TLS decryption.
#[derive(Debug, Clone)]
pub struct Secrets {
    /// Secrets type (0x544c534b = TLS key log).
    pub kind: u32,
    /// The secrets themselves.
    pub data: Vec<u8>,
}

/// A packet block, with its data as an offset into the block body.
pub(crate) struct PacketBlock {
    pub interface: u32,
    pub timestamp: Option<u64>,
    pub data_offset: usize,
    pub data_len: usize,
    pub orig_len: u32,
    pub comments: Vec<String>,
}

/// What a block means to the reader.
pub(crate) enum Block {
    Section,
    Interface(Interface),
    Packet(PacketBlock),
    Secrets(Secrets),
    /// A custom block (0x00000BAD copyable, 0x40000BAD not): PEN + data.
    Custom { copy: bool, data_offset: usize, len: usize },
    Skip,
}

fn pad4(n: usize) -> usize {
    (n + 3) & !3
}

/// Walk a block's options: `f(code, value)`.
fn options(order: SectionOrder, mut b: &[u8], mut f: impl FnMut(u16, &[u8])) {
    while b.len() >= 4 {
        let code = order.u16(&b[0..2]);
        let len = order.u16(&b[2..4]) as usize;
        if code == 0 {
            break;
        }
        let Some(v) = b.get(4..4 + len) else { break };
        f(code, v);
        b = b.get(4 + pad4(len)..).unwrap_or(&[]);
    }
}

fn comment_options(order: SectionOrder, b: &[u8]) -> Vec<String> {
    let mut out = Vec::new();
    options(order, b, |code, v| {
        if code == 1 {
            out.push(String::from_utf8_lossy(v).into_owned());
        }
    });
    out
}

/// Decode a block body (the bytes between the two length fields).
pub(crate) fn parse_block(order: SectionOrder, btype: u32, body: &[u8]) -> Result<Block, String> {
    match btype {
        SHB => {
            if body.len() < 16 {
                return Err("section header block too short".into());
            }
            Ok(Block::Section)
        }
        IDB => {
            if body.len() < 8 {
                return Err("interface description block too short".into());
            }
            let mut i = Interface {
                link_type: LinkType(order.u16(&body[0..2]) as u32),
                snaplen: order.u32(&body[4..8]),
                ..Interface::default()
            };
            options(order, &body[8..], |code, v| match code {
                2 => i.name = Some(String::from_utf8_lossy(v).into()),
                3 => i.description = Some(String::from_utf8_lossy(v).into_owned()),
                9 if !v.is_empty() => {
                    i.tsresol = if v[0] & 0x80 != 0 { (2, v[0] & 0x7f) } else { (10, v[0]) };
                }
                14 if v.len() >= 8 => i.tsoffset = order.u64(v) as i64,
                _ => {}
            });
            Ok(Block::Interface(i))
        }
        EPB | OPB => {
            if body.len() < 20 {
                return Err("packet block too short".into());
            }
            let (interface, ts_hi, ts_lo, caplen, origlen) = if btype == EPB {
                (order.u32(&body[0..4]), order.u32(&body[4..8]), order.u32(&body[8..12]), order.u32(&body[12..16]), order.u32(&body[16..20]))
            } else {
                (order.u16(&body[0..2]) as u32, order.u32(&body[4..8]), order.u32(&body[8..12]), order.u32(&body[12..16]), order.u32(&body[16..20]))
            };
            let caplen = caplen as usize;
            if caplen > body.len() - 20 {
                return Err(format!("packet block claims {caplen} captured bytes but holds {}", body.len() - 20));
            }
            let opts = body.get(20 + pad4(caplen)..).unwrap_or(&[]);
            Ok(Block::Packet(PacketBlock {
                interface,
                timestamp: Some(((ts_hi as u64) << 32) | ts_lo as u64),
                data_offset: 20,
                data_len: caplen,
                orig_len: origlen,
                comments: comment_options(order, opts),
            }))
        }
        SPB => {
            if body.len() < 4 {
                return Err("simple packet block too short".into());
            }
            let origlen = order.u32(&body[0..4]);
            Ok(Block::Packet(PacketBlock {
                interface: 0,
                timestamp: None,
                data_offset: 4,
                data_len: (origlen as usize).min(body.len() - 4),
                orig_len: origlen,
                comments: Vec::new(),
            }))
        }
        DSB => {
            if body.len() < 8 {
                return Err("decryption secrets block too short".into());
            }
            let kind = order.u32(&body[0..4]);
            let len = order.u32(&body[4..8]) as usize;
            let data = body.get(8..8 + len).ok_or("decryption secrets block longer than its block")?;
            Ok(Block::Secrets(Secrets { kind, data: data.to_vec() }))
        }
        0x0000_0bad | 0x4000_0bad => {
            if body.len() < 4 {
                return Err("custom block too short".into());
            }
            Ok(Block::Custom { copy: btype == 0x0000_0bad, data_offset: 0, len: body.len() })
        }
        _ => Ok(Block::Skip),
    }
}
