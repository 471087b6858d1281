//! The file reader: block-buffered, format-detecting, bounded.

use std::io::{self, Read};

use wirecrab_core::{FrameMeta, LinkType, Timestamp};

use crate::pcap::PcapHeader;
use crate::pcapng::{self, Block, Interface, Secrets, SectionOrder};
use crate::ReadError;

/// Bytes asked of the OS per read. Large reads are what keeps the reader near
/// `cat` speed (bench/README: a page-faulting mmap walk was half as fast).
const READ_CHUNK: usize = 1 << 20;

/// Largest pcapng block accepted; Wireshark refuses blocks over 16 MiB too.
const MAX_BLOCK: u64 = 16 << 20;

/// Largest pcap record accepted unless the file's snaplen says more
/// (Wireshark's WTAP_MAX_PACKET_SIZE_STANDARD).
const MAX_PCAP_RECORD: u64 = 262_144;

/// The container format of the input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileFormat {
    /// libpcap with microsecond timestamps.
    PcapMicro,
    /// libpcap with nanosecond timestamps.
    PcapNano,
    /// Alexey Kuznetzov's modified libpcap (24-byte record headers).
    PcapModified,
    /// pcapng.
    Pcapng,
}

/// One frame as delivered by [`FileReader::next_frame`].
#[derive(Debug)]
pub struct Frame<'a> {
    /// Metadata.
    pub meta: &'a FrameMeta,
    /// The captured bytes.
    pub data: &'a [u8],
    /// The whole record as stored in the file (pcap: record header and data;
    /// pcapng: the block), for writers that copy frames unchanged.
    pub raw: &'a [u8],
    /// Non-frame blocks stored in the file since the previous frame (the pcap
    /// file header; pcapng section headers, interfaces, secrets, name
    /// resolution, statistics...), byte for byte. Empty unless
    /// [`FileReader::keep_side_blocks`] was called.
    pub side: &'a [u8],
}

enum State {
    Pcap(PcapHeader),
    Pcapng(SectionOrder),
}

/// Reads frames from a pcap or pcapng stream.
pub struct FileReader {
    src: Box<dyn Read + Send>,
    buf: Vec<u8>,
    pos: usize,
    end: usize,
    eof: bool,
    /// Offset in the (decompressed) input of `buf[pos]`.
    offset: u64,
    state: State,
    format: FileFormat,
    next_number: u64,
    meta: FrameMeta,
    interfaces: Vec<Interface>,
    /// First global interface index of the current pcapng section.
    section_base: usize,
    secrets: Vec<Secrets>,
    compressed: Option<&'static str>,
    /// The pcap file header as read (empty for pcapng).
    file_header: Vec<u8>,
    /// Raw non-frame blocks since the last frame, when `keep_side` is set.
    side: Vec<u8>,
    keep_side: bool,
    side_delivered: bool,
    /// A custom block's data with its PEN in network order (the raw block
    /// stays untouched for writers).
    custom: Vec<u8>,
}

impl FileReader {
    /// Open `path` (`-` for standard input).
    pub fn open(path: &str) -> Result<FileReader, ReadError> {
        let src: Box<dyn Read + Send> = if path == "-" {
            Box::new(io::stdin())
        } else {
            Box::new(std::fs::File::open(path)?)
        };
        FileReader::new(src)
    }

    /// Read from any byte stream.
    pub fn new(src: Box<dyn Read + Send>) -> Result<FileReader, ReadError> {
        let mut r = FileReader {
            src,
            buf: vec![0; READ_CHUNK * 2],
            pos: 0,
            end: 0,
            eof: false,
            offset: 0,
            state: State::Pcap(PcapHeader::default()),
            format: FileFormat::PcapMicro,
            next_number: 1,
            meta: FrameMeta::default(),
            interfaces: Vec::new(),
            section_base: 0,
            secrets: Vec::new(),
            compressed: None,
            file_header: Vec::new(),
            side: Vec::new(),
            keep_side: false,
            side_delivered: false,
            custom: Vec::new(),
        };
        r.unwrap_compression()?;
        r.read_file_header()?;
        Ok(r)
    }

    /// The container format.
    pub fn format(&self) -> FileFormat {
        self.format
    }

    /// `Some("gzip")` or `Some("zstd")` when the input was compressed.
    pub fn compression(&self) -> Option<&'static str> {
        self.compressed
    }

    /// Interfaces seen so far (pcap: the one implied by the file header).
    pub fn interfaces(&self) -> &[Interface] {
        &self.interfaces
    }

    /// Decryption secrets found in pcapng DSBs so far.
    pub fn secrets(&self) -> &[Secrets] {
        &self.secrets
    }

    /// Keep the raw bytes of non-frame blocks and hand them out with the next
    /// frame ([`Frame::side`]) or, at the end, [`FileReader::trailing_side_blocks`].
    /// A writer that copies a file's structure needs them; nothing else does.
    pub fn keep_side_blocks(&mut self) {
        if !self.keep_side {
            self.keep_side = true;
            self.side.extend_from_slice(&self.file_header);
        }
    }

    /// Non-frame blocks after the last frame (valid once `next_frame` has
    /// returned `Ok(None)`).
    pub fn trailing_side_blocks(&self) -> &[u8] {
        &self.side
    }

    /// Link type of the first interface (pcap: the file's).
    pub fn link_type(&self) -> Option<LinkType> {
        self.interfaces.first().map(|i| i.link_type)
    }

    /// Make `buf[pos..end]` hold at least `n` bytes. False at end of input.
    fn ensure(&mut self, n: usize) -> io::Result<bool> {
        if self.end - self.pos >= n {
            return Ok(true);
        }
        if self.pos > 0 {
            self.buf.copy_within(self.pos..self.end, 0);
            self.end -= self.pos;
            self.pos = 0;
        }
        if self.buf.len() < n {
            // Only records that passed the size checks get here, so this is bounded.
            self.buf.resize(n.next_power_of_two().max(READ_CHUNK), 0);
        }
        while self.end < n && !self.eof {
            let room = (self.buf.len() - self.end).min(READ_CHUNK.max(n - self.end));
            match self.src.read(&mut self.buf[self.end..self.end + room]) {
                Ok(0) => self.eof = true,
                Ok(k) => self.end += k,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        Ok(self.end - self.pos >= n)
    }

    fn consume(&mut self, n: usize) {
        self.pos += n;
        self.offset += n as u64;
    }

    fn unwrap_compression(&mut self) -> Result<(), ReadError> {
        self.ensure(4)?;
        let head = &self.buf[self.pos..self.end];
        let kind = if head.starts_with(&[0x1f, 0x8b]) {
            Some("gzip")
        } else if head.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) {
            Some("zstd")
        } else {
            None
        };
        let Some(kind) = kind else { return Ok(()) };
        // Hand the bytes already read back to the decompressor, followed by the rest.
        let prefix = io::Cursor::new(self.buf[self.pos..self.end].to_vec());
        let raw = std::mem::replace(&mut self.src, Box::new(io::empty()));
        let chained = prefix.chain(raw);
        self.src = match kind {
            "gzip" => Box::new(flate2::read::MultiGzDecoder::new(chained)),
            _ => Box::new(zstd::stream::read::Decoder::new(chained)?),
        };
        self.pos = 0;
        self.end = 0;
        self.eof = false;
        self.compressed = Some(kind);
        Ok(())
    }

    fn read_file_header(&mut self) -> Result<(), ReadError> {
        self.ensure(24)?;
        let avail = self.end - self.pos;
        if avail == 0 {
            return Err(ReadError::Empty);
        }
        let head = &self.buf[self.pos..self.end];
        if avail >= 4 && head[..4] == [0x0a, 0x0d, 0x0d, 0x0a] {
            self.format = FileFormat::Pcapng;
            self.state = State::Pcapng(SectionOrder::Little);
            return Ok(());
        }
        match PcapHeader::parse(head) {
            Some(Ok(h)) => {
                self.format = h.format;
                self.interfaces.push(Interface {
                    link_type: h.link_type,
                    snaplen: h.snaplen,
                    ..Interface::default()
                });
                self.state = State::Pcap(h);
                self.file_header = self.buf[self.pos..self.pos + 24].to_vec();
                self.consume(24);
                Ok(())
            }
            Some(Err(need)) => Err(ReadError::HeaderCutShort { got: avail, need }),
            None => Err(ReadError::NotCapture(head[..avail.min(4)].to_vec())),
        }
    }

    /// The next frame, `Ok(None)` at a clean end of input.
    pub fn next_frame(&mut self) -> Result<Option<Frame<'_>>, ReadError> {
        if self.side_delivered {
            // The previous frame carried the side blocks before it.
            self.side.clear();
            self.side_delivered = false;
        }
        match self.state {
            State::Pcap(h) => self.next_pcap(h),
            State::Pcapng(_) => self.next_pcapng(),
        }
    }

    fn cut_short(&self) -> ReadError {
        ReadError::CutShort { frame: self.next_number, offset: self.offset }
    }

    fn next_pcap(&mut self, h: PcapHeader) -> Result<Option<Frame<'_>>, ReadError> {
        let hl = h.record_header_len();
        if !self.ensure(hl)? {
            return if self.pos == self.end { Ok(None) } else { Err(self.cut_short()) };
        }
        let rec = h.record(&self.buf[self.pos..self.pos + hl]);
        let max = MAX_PCAP_RECORD.max((h.snaplen as u64).min(MAX_BLOCK));
        if rec.caplen as u64 > max {
            return Err(ReadError::AbsurdLength {
                frame: self.next_number,
                offset: self.offset,
                len: rec.caplen as u64,
                max,
            });
        }
        let total = hl + rec.caplen as usize;
        if !self.ensure(total)? {
            return Err(self.cut_short());
        }
        let start = self.pos + hl;
        self.consume(total);
        self.meta.number = self.next_number;
        self.next_number += 1;
        self.meta.ts = rec.ts;
        self.meta.has_ts = true;
        self.meta.cap_len = rec.caplen;
        self.meta.orig_len = rec.origlen.max(rec.caplen);
        self.meta.link_type = h.link_type;
        self.meta.ts_digits = if h.format == FileFormat::PcapNano { 9 } else { 6 };
        self.meta.interface = 0;
        self.meta.snaplen = h.snaplen;
        self.meta.comments.clear();
        self.side_delivered = true;
        Ok(Some(Frame {
            meta: &self.meta,
            data: &self.buf[start..start + rec.caplen as usize],
            raw: &self.buf[start - hl..start + rec.caplen as usize],
            side: &self.side,
        }))
    }

    fn next_pcapng(&mut self) -> Result<Option<Frame<'_>>, ReadError> {
        loop {
            if !self.ensure(8)? {
                return if self.pos == self.end { Ok(None) } else { Err(self.cut_short()) };
            }
            let State::Pcapng(mut order) = self.state else { unreachable!("pcapng state") };
            if self.buf[self.pos..self.pos + 4] == [0x0a, 0x0d, 0x0d, 0x0a] {
                // A section header fixes the byte order for everything after it.
                if !self.ensure(12)? {
                    return Err(self.cut_short());
                }
                order = match pcapng::section_order(&self.buf[self.pos + 8..self.pos + 12]) {
                    Some(o) => o,
                    None => {
                        return Err(ReadError::Corrupt {
                            what: "section header with an unknown byte-order magic".into(),
                            offset: self.offset,
                            frame: self.next_number,
                        })
                    }
                };
                self.state = State::Pcapng(order);
            }
            let head = &self.buf[self.pos..self.pos + 8];
            let btype = order.u32(&head[0..4]);
            let blen = order.u32(&head[4..8]) as u64;
            if blen > MAX_BLOCK {
                return Err(ReadError::AbsurdLength {
                    frame: self.next_number,
                    offset: self.offset,
                    len: blen,
                    max: MAX_BLOCK,
                });
            }
            if blen < 12 || !blen.is_multiple_of(4) {
                return Err(ReadError::Corrupt {
                    what: format!("block of type 0x{btype:08x} has length {blen}"),
                    offset: self.offset,
                    frame: self.next_number,
                });
            }
            let blen = blen as usize;
            if !self.ensure(blen)? {
                return Err(self.cut_short());
            }
            let block_start = self.pos;
            let body = &self.buf[block_start + 8..block_start + blen - 4];
            let block = pcapng::parse_block(order, btype, body).map_err(|what| ReadError::Corrupt {
                what,
                offset: self.offset,
                frame: self.next_number,
            })?;
            self.consume(blen);
            let raw = block_start..block_start + blen;
            if self.keep_side && !matches!(block, Block::Packet(_) | Block::Custom { .. }) {
                self.side.extend_from_slice(&self.buf[raw.clone()]);
            }
            match block {
                Block::Section => {
                    self.section_base = self.interfaces.len();
                }
                Block::Interface(i) => self.interfaces.push(i),
                Block::Secrets(s) => self.secrets.push(s),
                Block::Skip => {}
                Block::Custom { copy, data_offset, len } => {
                    // Wireshark lists custom blocks among the frames; so do we,
                    // so frame numbers agree.
                    self.meta.number = self.next_number;
                    self.next_number += 1;
                    self.meta.ts = Timestamp::default();
                    self.meta.has_ts = false;
                    self.meta.cap_len = len.saturating_sub(4) as u32;
                    self.meta.orig_len = self.meta.cap_len;
                    self.meta.link_type = if copy { LinkType::PCAPNG_CUSTOM } else { LinkType::PCAPNG_CUSTOM_NOCOPY };
                    self.meta.interface = 0;
                    self.meta.interface_name = None;
                    self.meta.pcapng = true;
                    self.meta.snaplen = 0;
                    self.meta.ts_digits = 9;
                    self.meta.comments.clear();
                    let start = block_start + 8 + data_offset;
                    // Deliver the PEN in network order whatever the section's order.
                    self.custom.clear();
                    self.custom.extend_from_slice(&self.buf[start..start + len]);
                    if order == SectionOrder::Little {
                        self.custom[..4].reverse();
                    }
                    self.side_delivered = true;
                    return Ok(Some(Frame { meta: &self.meta, data: &self.custom, raw: &self.buf[raw], side: &self.side }));
                }
                Block::Packet(p) => {
                    let gidx = self.section_base + p.interface as usize;
                    let Some(iface) = self.interfaces.get(gidx) else {
                        return Err(ReadError::Corrupt {
                            what: format!("packet refers to interface {} which was not described", p.interface),
                            offset: self.offset - blen as u64,
                            frame: self.next_number,
                        });
                    };
                    let caplen = match p.timestamp {
                        None if iface.snaplen > 0 => p.data_len.min(iface.snaplen as usize),
                        _ => p.data_len,
                    };
                    self.meta.number = self.next_number;
                    self.next_number += 1;
                    self.meta.ts = match p.timestamp {
                        Some(t) => iface.timestamp(t),
                        None => Timestamp::default(),
                    };
                    self.meta.has_ts = p.timestamp.is_some();
                    self.meta.cap_len = caplen as u32;
                    self.meta.orig_len = p.orig_len.max(caplen as u32);
                    self.meta.link_type = iface.link_type;
                    self.meta.ts_digits = iface.ts_digits();
                    self.meta.interface_name = iface.name.clone();
                    self.meta.pcapng = true;
                    self.meta.interface = gidx as u32;
                    self.meta.snaplen = iface.snaplen;
                    self.meta.comments = p.comments;
                    let start = block_start + 8 + p.data_offset;
                    self.side_delivered = true;
                    return Ok(Some(Frame {
                        meta: &self.meta,
                        data: &self.buf[start..start + caplen],
                        raw: &self.buf[raw],
                        side: &self.side,
                    }));
                }
            }
        }
    }
}
