//! Writing frames to pcap or pcapng, as `tshark -w` and `tcpdump -w` do.
//!
//! When the output has the input's container format the writer copies bytes:
//! every non-frame block (pcap file header; pcapng section headers,
//! interfaces, decryption secrets, name resolution, statistics, in their
//! original byte order) and each selected frame's record exactly as stored,
//! comments and options included. Only a change of format re-encodes: pcap to
//! pcapng (one interface from the file header) or pcapng to pcap (allowed
//! while every frame has the same link type, as libpcap files have one).

use std::io::{self, Write};

use wirecrab_core::{FrameMeta, LinkType};

use crate::FileFormat;

/// The format of a written capture file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutputFormat {
    /// libpcap, microsecond timestamps (tshark's `-F pcap`).
    Pcap,
    /// libpcap, nanosecond timestamps (tshark's `-F nsecpcap`).
    PcapNano,
    /// pcapng.
    Pcapng,
}

impl OutputFormat {
    /// Parse a `-F` name as tshark spells it.
    pub fn parse(name: &str) -> Option<OutputFormat> {
        match name {
            "pcap" | "libpcap" => Some(OutputFormat::Pcap),
            "nsecpcap" | "pcapnano" => Some(OutputFormat::PcapNano),
            "pcapng" => Some(OutputFormat::Pcapng),
            _ => None,
        }
    }

    /// The format that keeps an input file as it is: pcap stays pcap (with its
    /// precision), pcapng stays pcapng.
    pub fn same_as(input: FileFormat) -> OutputFormat {
        match input {
            FileFormat::PcapNano => OutputFormat::PcapNano,
            FileFormat::PcapMicro | FileFormat::PcapModified => OutputFormat::Pcap,
            FileFormat::Pcapng => OutputFormat::Pcapng,
        }
    }

    fn copies(self, input: FileFormat) -> bool {
        matches!(
            (input, self),
            (FileFormat::PcapMicro | FileFormat::PcapModified, OutputFormat::Pcap)
                | (FileFormat::PcapNano, OutputFormat::PcapNano)
                | (FileFormat::Pcapng, OutputFormat::Pcapng)
        )
    }
}

/// A frame as the writer needs it.
pub struct WriteFrame<'a> {
    /// Metadata (time, lengths, link type).
    pub meta: &'a FrameMeta,
    /// Captured bytes.
    pub data: &'a [u8],
    /// The record as stored in the input ([`crate::Frame::raw`]).
    pub raw: &'a [u8],
}

/// Why a frame could not be written.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    /// The output failed (disk full, closed pipe...).
    #[error("{0}")]
    Io(#[from] io::Error),
    /// A pcap file holds one link type; this frame has another.
    #[error("frame {frame} has link type {got} but the pcap output already has {have}; write pcapng instead (-F pcapng)")]
    MixedLinkTypes {
        /// Frame number.
        frame: u64,
        /// The file's link type.
        have: u32,
        /// The frame's.
        got: u32,
    },
    /// pcapng custom blocks have no pcap form.
    #[error("frame {frame} is a pcapng custom block, which a pcap file cannot hold; write pcapng instead (-F pcapng)")]
    NotAPacket {
        /// Frame number.
        frame: u64,
    },
}

enum Plan {
    /// Same container: copy side blocks and records byte for byte.
    Copy,
    /// Re-encode as pcap; the header is written with the first frame.
    ToPcap { nano: bool, link: Option<LinkType> },
    /// Re-encode as pcapng with one interface per link type met.
    ToPcapng { nano: bool, header: bool, interfaces: Vec<LinkType> },
}

/// Writes frames to a capture file.
pub struct CaptureWriter<W: Write> {
    out: W,
    plan: Plan,
    written: u64,
}

/// Largest snapshot length announced in headers we write (Wireshark's).
const SNAPLEN: u32 = 262_144;

impl<W: Write> CaptureWriter<W> {
    /// A writer of `format` for frames read from a file of `input` format.
    pub fn new(out: W, input: FileFormat, format: OutputFormat) -> CaptureWriter<W> {
        let plan = if format.copies(input) {
            Plan::Copy
        } else {
            match format {
                OutputFormat::Pcapng => Plan::ToPcapng { nano: input == FileFormat::PcapNano, header: false, interfaces: Vec::new() },
                OutputFormat::Pcap | OutputFormat::PcapNano => {
                    Plan::ToPcap { nano: format == OutputFormat::PcapNano, link: None }
                }
            }
        };
        CaptureWriter { out, plan, written: 0 }
    }

    /// Frames written so far.
    pub fn frames_written(&self) -> u64 {
        self.written
    }

    /// Non-frame blocks from the input ([`crate::Frame::side`]): copied when
    /// the format is kept, otherwise dropped (a re-encoded file describes
    /// its own interfaces).
    pub fn side_blocks(&mut self, side: &[u8]) -> Result<(), WriteError> {
        if matches!(self.plan, Plan::Copy) && !side.is_empty() {
            self.out.write_all(side)?;
        }
        Ok(())
    }

    /// Write one frame.
    pub fn frame(&mut self, f: &WriteFrame<'_>) -> Result<(), WriteError> {
        match &mut self.plan {
            Plan::Copy => self.out.write_all(f.raw)?,
            Plan::ToPcap { nano, link } => {
                if is_custom_block(f.meta.link_type) {
                    return Err(WriteError::NotAPacket { frame: f.meta.number });
                }
                match link {
                    None => {
                        write_pcap_header(&mut self.out, *nano, f.meta.link_type)?;
                        *link = Some(f.meta.link_type);
                    }
                    Some(l) if *l != f.meta.link_type => {
                        return Err(WriteError::MixedLinkTypes { frame: f.meta.number, have: l.0, got: f.meta.link_type.0 })
                    }
                    Some(_) => {}
                }
                write_pcap_record(&mut self.out, *nano, f.meta, f.data)?;
            }
            Plan::ToPcapng { nano, header, interfaces } => {
                if !*header {
                    write_shb(&mut self.out)?;
                    *header = true;
                }
                if is_custom_block(f.meta.link_type) {
                    // The raw block is already a pcapng block, but its byte
                    // order is the input's; only pcap inputs get here, and
                    // they have no custom blocks.
                    return Err(WriteError::NotAPacket { frame: f.meta.number });
                }
                let idx = match interfaces.iter().position(|l| *l == f.meta.link_type) {
                    Some(i) => i,
                    None => {
                        write_idb(&mut self.out, f.meta.link_type, *nano)?;
                        interfaces.push(f.meta.link_type);
                        interfaces.len() - 1
                    }
                };
                write_epb(&mut self.out, idx as u32, *nano, f.meta, f.data)?;
            }
        }
        self.written += 1;
        Ok(())
    }

    /// Write what a file with no frames still needs (headers) and flush.
    pub fn finish(mut self) -> Result<W, WriteError> {
        match &mut self.plan {
            Plan::Copy => {}
            Plan::ToPcap { nano, link } => {
                if link.is_none() {
                    write_pcap_header(&mut self.out, *nano, LinkType::ETHERNET)?;
                }
            }
            Plan::ToPcapng { header, .. } => {
                if !*header {
                    write_shb(&mut self.out)?;
                }
            }
        }
        self.out.flush()?;
        Ok(self.out)
    }
}

fn is_custom_block(l: LinkType) -> bool {
    l == LinkType::PCAPNG_CUSTOM || l == LinkType::PCAPNG_CUSTOM_NOCOPY
}

fn write_pcap_header(out: &mut impl Write, nano: bool, link: LinkType) -> io::Result<()> {
    let magic: u32 = if nano { 0xa1b2_3c4d } else { 0xa1b2_c3d4 };
    let mut h = [0u8; 24];
    h[0..4].copy_from_slice(&magic.to_le_bytes());
    h[4..6].copy_from_slice(&2u16.to_le_bytes());
    h[6..8].copy_from_slice(&4u16.to_le_bytes());
    h[16..20].copy_from_slice(&SNAPLEN.to_le_bytes());
    h[20..24].copy_from_slice(&link.0.to_le_bytes());
    out.write_all(&h)
}

fn write_pcap_record(out: &mut impl Write, nano: bool, m: &FrameMeta, data: &[u8]) -> io::Result<()> {
    let frac = if nano { m.ts.nanos as u64 } else { m.ts.nanos as u64 / 1000 };
    let mut h = [0u8; 16];
    // pcap stores unsigned 32-bit seconds; times before 1970 or after 2106 wrap.
    h[0..4].copy_from_slice(&(m.ts.secs as u32).to_le_bytes());
    h[4..8].copy_from_slice(&(frac as u32).to_le_bytes());
    h[8..12].copy_from_slice(&(data.len() as u32).to_le_bytes());
    h[12..16].copy_from_slice(&m.orig_len.max(data.len() as u32).to_le_bytes());
    out.write_all(&h)?;
    out.write_all(data)
}

fn pad4(n: usize) -> usize {
    (n + 3) & !3
}

/// A pcapng block: type, length, body (padded to 4), length again.
fn write_block(out: &mut impl Write, btype: u32, body: &[&[u8]]) -> io::Result<()> {
    let body_len: usize = body.iter().map(|b| b.len()).sum();
    let total = (12 + pad4(body_len)) as u32;
    out.write_all(&btype.to_le_bytes())?;
    out.write_all(&total.to_le_bytes())?;
    for b in body {
        out.write_all(b)?;
    }
    out.write_all(&[0u8; 3][..pad4(body_len) - body_len])?;
    out.write_all(&total.to_le_bytes())
}

/// One option: code, length, value padded to 4.
fn option(buf: &mut Vec<u8>, code: u16, value: &[u8]) {
    buf.extend_from_slice(&code.to_le_bytes());
    buf.extend_from_slice(&(value.len() as u16).to_le_bytes());
    buf.extend_from_slice(value);
    buf.resize(pad4(buf.len()), 0);
}

fn write_shb(out: &mut impl Write) -> io::Result<()> {
    let mut b = Vec::with_capacity(64);
    b.extend_from_slice(&0x1a2b_3c4du32.to_le_bytes());
    b.extend_from_slice(&1u16.to_le_bytes());
    b.extend_from_slice(&0u16.to_le_bytes());
    b.extend_from_slice(&(-1i64).to_le_bytes()); // section length unknown
    option(&mut b, 4, concat!("wirecrab ", env!("CARGO_PKG_VERSION")).as_bytes()); // shb_userappl
    option(&mut b, 0, &[]);
    write_block(out, 0x0a0d_0d0a, &[&b])
}

fn write_idb(out: &mut impl Write, link: LinkType, nano: bool) -> io::Result<()> {
    let mut b = Vec::with_capacity(32);
    b.extend_from_slice(&(link.0 as u16).to_le_bytes());
    b.extend_from_slice(&0u16.to_le_bytes());
    b.extend_from_slice(&SNAPLEN.to_le_bytes());
    if nano {
        option(&mut b, 9, &[9]); // if_tsresol: nanoseconds
    }
    option(&mut b, 0, &[]);
    write_block(out, 1, &[&b])
}

fn write_epb(out: &mut impl Write, interface: u32, nano: bool, m: &FrameMeta, data: &[u8]) -> io::Result<()> {
    let units = if nano { 1_000_000_000u64 } else { 1_000_000 };
    let frac = if nano { m.ts.nanos as u64 } else { m.ts.nanos as u64 / 1000 };
    let ts = (m.ts.secs.max(0) as u64).saturating_mul(units).saturating_add(frac);
    let mut h = [0u8; 20];
    h[0..4].copy_from_slice(&interface.to_le_bytes());
    h[4..8].copy_from_slice(&((ts >> 32) as u32).to_le_bytes());
    h[8..12].copy_from_slice(&(ts as u32).to_le_bytes());
    h[12..16].copy_from_slice(&(data.len() as u32).to_le_bytes());
    h[16..20].copy_from_slice(&m.orig_len.max(data.len() as u32).to_le_bytes());
    let mut opts = Vec::new();
    for c in &m.comments {
        option(&mut opts, 1, c.as_bytes());
    }
    if !opts.is_empty() {
        option(&mut opts, 0, &[]);
    }
    let padded = pad4(data.len());
    let pad = &[0u8; 3][..padded - data.len()];
    write_block(out, 6, &[&h, data, pad, &opts])
}
