//! Writer tests: read a synthetic file, keep some frames, write them, read the
//! result back and compare what must survive (interfaces, secrets, comments,
//! times, lengths, byte order of copied sections).

use std::io::Cursor;

use wirecrab_capture::{CaptureWriter, FileFormat, FileReader, OutputFormat, WriteError, WriteFrame};
use wirecrab_core::LinkType;

mod common;
use common::*;

/// Copy the frames whose number `keep` accepts from `input` to a new file.
fn filter_copy(input: Vec<u8>, format: Option<OutputFormat>, keep: impl Fn(u64) -> bool) -> Result<Vec<u8>, WriteError> {
    let mut r = FileReader::new(Box::new(Cursor::new(input))).unwrap();
    r.keep_side_blocks();
    let format = format.unwrap_or(OutputFormat::same_as(r.format()));
    let mut w = CaptureWriter::new(Vec::new(), r.format(), format);
    while let Some(f) = r.next_frame().unwrap() {
        w.side_blocks(f.side)?;
        if keep(f.meta.number) {
            w.frame(&WriteFrame { meta: f.meta, data: f.data, raw: f.raw })?;
        }
    }
    w.side_blocks(r.trailing_side_blocks())?;
    w.finish()
}

/// (number, secs, nanos, data, link type, orig len, comments) of every frame, and the reader.
type Row = (u64, i64, u32, Vec<u8>, LinkType, u32, Vec<String>);

fn read_back(bytes: Vec<u8>) -> (Vec<Row>, FileReader) {
    let mut r = FileReader::new(Box::new(Cursor::new(bytes))).unwrap();
    let mut rows = Vec::new();
    while let Some(f) = r.next_frame().unwrap() {
        let m = f.meta;
        rows.push((m.number, m.ts.secs, m.ts.nanos, f.data.to_vec(), m.link_type, m.orig_len, m.comments.clone()));
    }
    (rows, r)
}

fn dsb(big: bool, keys: &[u8]) -> Vec<u8> {
    let w32 = |v: u32| if big { v.to_be_bytes() } else { v.to_le_bytes() };
    let mut body = Vec::new();
    body.extend(w32(0x544c534b));
    body.extend(w32(keys.len() as u32));
    body.extend_from_slice(keys);
    block(big, 0x0a, &body)
}

/// Two sections (little- then big-endian), three interfaces, a DSB, an
/// unknown block, comments and a trailing block after the last frame.
fn rich_pcapng() -> Vec<u8> {
    let mut f = shb(false);
    f.extend(idb(false, 1, &opt(false, 2, b"eth0")));
    f.extend(idb(false, 113, &opt(false, 2, b"any")));
    f.extend(dsb(false, b"CLIENT_RANDOM aa bb\n"));
    f.extend(epb(false, 0, 1_000_000, b"one", &opt(false, 1, b"first comment")));
    f.extend(epb(false, 1, 2_000_000, b"two-sll", &[]));
    f.extend(block(false, 0x1234, b"unknown block kept"));
    f.extend(epb(false, 0, 3_000_000, b"three", &opt(false, 1, b"third comment")));
    f.extend(shb(true));
    f.extend(idb(true, 101, &opt(true, 9, &[9])));
    f.extend(epb(true, 0, 4_000_000_123, b"four-raw", &[]));
    f.extend(block(true, 5, b"statistics-ish trailing block"));
    f
}

#[test]
fn copying_every_frame_reproduces_the_file_byte_for_byte() {
    let input = rich_pcapng();
    assert_eq!(filter_copy(input.clone(), None, |_| true).unwrap(), input);
    let p = pcap(0xa1b23c4d, true, 1, 65535, &[(1, 2, b"abc"), (3, 4, b"defgh")], false);
    assert_eq!(filter_copy(p.clone(), None, |_| true).unwrap(), p);
    let m = pcap(0xa1b2cd34, false, 1, 65535, &[(1, 2, b"abc")], true);
    assert_eq!(filter_copy(m.clone(), None, |_| true).unwrap(), m);
}

#[test]
fn selected_pcapng_frames_keep_interfaces_secrets_and_comments() {
    let out = filter_copy(rich_pcapng(), None, |n| n == 3 || n == 4).unwrap();
    let (rows, r) = read_back(out);
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0].3, b"three");
    assert_eq!(rows[0].6, vec!["third comment".to_string()]);
    assert_eq!((rows[1].3.as_slice(), rows[1].4, rows[1].1, rows[1].2), (&b"four-raw"[..], LinkType::RAW, 4, 123));
    assert_eq!(r.interfaces().len(), 3, "every interface is described even when none of its frames is kept");
    assert_eq!(r.interfaces()[1].name.as_deref(), Some("any"));
    assert_eq!(r.secrets().len(), 1);
    assert_eq!(r.secrets()[0].data, b"CLIENT_RANDOM aa bb\n");
}

#[test]
fn selecting_nothing_still_gives_a_readable_file() {
    let (rows, r) = read_back(filter_copy(rich_pcapng(), None, |_| false).unwrap());
    assert!(rows.is_empty());
    assert_eq!(r.secrets().len(), 1);
    let p = pcap(0xa1b2c3d4, false, 101, 65535, &[(1, 2, b"abc")], false);
    let (rows, r) = read_back(filter_copy(p, None, |_| false).unwrap());
    assert!(rows.is_empty());
    assert_eq!(r.link_type(), Some(LinkType::RAW));
}

#[test]
fn pcap_to_pcapng_keeps_times_lengths_and_link_type() {
    let p = pcap(0xa1b23c4d, false, 101, 65535, &[(10, 123_456_789, b"abc"), (11, 5, b"defg")], false);
    let out = filter_copy(p, Some(OutputFormat::Pcapng), |_| true).unwrap();
    let (rows, r) = read_back(out);
    assert_eq!(r.format(), FileFormat::Pcapng);
    assert_eq!(rows.len(), 2);
    assert_eq!((rows[0].1, rows[0].2, rows[0].4, rows[0].5), (10, 123_456_789, LinkType::RAW, 13));
    assert_eq!((rows[1].1, rows[1].2, rows[1].3.as_slice()), (11, 5, &b"defg"[..]));
}

#[test]
fn pcapng_to_pcap_converts_one_link_type_and_refuses_two() {
    let mut f = shb(false);
    f.extend(idb(false, 1, &opt(false, 9, &[9])));
    f.extend(epb(false, 0, 5_000_000_007, b"abc", &[]));
    let (rows, r) = read_back(filter_copy(f.clone(), Some(OutputFormat::PcapNano), |_| true).unwrap());
    assert_eq!(r.format(), FileFormat::PcapNano);
    assert_eq!((rows[0].1, rows[0].2, rows[0].3.as_slice()), (5, 7, &b"abc"[..]));
    let (rows, r) = read_back(filter_copy(f, Some(OutputFormat::Pcap), |_| true).unwrap());
    assert_eq!(r.format(), FileFormat::PcapMicro);
    assert_eq!((rows[0].1, rows[0].2), (5, 0), "microseconds: the 7 ns are below the file's precision");

    let e = filter_copy(rich_pcapng(), Some(OutputFormat::Pcap), |_| true).unwrap_err();
    assert!(matches!(e, WriteError::MixedLinkTypes { frame: 2, have: 1, got: 113 }), "{e:?}");
    assert!(e.to_string().contains("-F pcapng"), "the message says what to do: {e}");
}

#[test]
fn a_full_disk_is_an_error_not_a_silent_loss() {
    struct Full;
    impl std::io::Write for Full {
        fn write(&mut self, _: &[u8]) -> std::io::Result<usize> {
            Err(std::io::Error::from_raw_os_error(28)) // ENOSPC
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut r = FileReader::new(Box::new(Cursor::new(rich_pcapng()))).unwrap();
    r.keep_side_blocks();
    let mut w = CaptureWriter::new(Full, r.format(), OutputFormat::Pcapng);
    let f = r.next_frame().unwrap().unwrap();
    let e = w.side_blocks(f.side).unwrap_err();
    assert!(e.to_string().contains("No space left"), "{e}");
}
