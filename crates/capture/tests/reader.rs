//! File reader tests on synthetic captures built byte by byte: every format
//! variant the reader claims, and every way a file can be broken.

use std::io::Write;

use wirecrab_capture::{FileFormat, FileReader, ReadError};
use wirecrab_core::LinkType;

mod common;
use common::*;

/// number, seconds, nanoseconds, bytes, link type, original length
type Row = (u64, i64, u32, Vec<u8>, LinkType, u32);

fn read_all(bytes: Vec<u8>) -> (Vec<Row>, Option<ReadError>, Option<FileReader>) {
    let mut r = match FileReader::new(Box::new(std::io::Cursor::new(bytes))) {
        Ok(r) => r,
        Err(e) => return (Vec::new(), Some(e), None),
    };
    let mut out = Vec::new();
    loop {
        match r.next_frame() {
            Ok(Some(f)) => out.push((f.meta.number, f.meta.ts.secs, f.meta.ts.nanos, f.data.to_vec(), f.meta.link_type, f.meta.orig_len)),
            Ok(None) => return (out, None, Some(r)),
            Err(e) => return (out, Some(e), Some(r)),
        }
    }
}

#[test]
fn pcap_both_byte_orders_micro_and_nano() {
    for big in [false, true] {
        for (magic, frac, nanos) in [(0xa1b2c3d4, 5u32, 5000u32), (0xa1b23c4d, 5, 5)] {
            let f = pcap(magic, big, 1, 65535, &[(100, frac, b"abc"), (101, frac, b"defg")], false);
            let (frames, err, r) = read_all(f);
            assert!(err.is_none(), "{err:?}");
            assert_eq!(frames.len(), 2);
            assert_eq!((frames[0].1, frames[0].2, frames[0].3.as_slice()), (100, nanos, &b"abc"[..]));
            assert_eq!(frames[1].5, 14, "orig_len kept");
            let fmt = r.unwrap().format();
            assert_eq!(fmt, if magic == 0xa1b2c3d4 { FileFormat::PcapMicro } else { FileFormat::PcapNano });
        }
    }
}

#[test]
fn pcap_modified_format_has_24_byte_records() {
    let f = pcap(0xa1b2cd34, false, 1, 65535, &[(1, 0, b"xy"), (2, 0, b"z")], true);
    let (frames, err, r) = read_all(f);
    assert!(err.is_none());
    assert_eq!(frames.iter().map(|f| f.3.clone()).collect::<Vec<_>>(), vec![b"xy".to_vec(), b"z".to_vec()]);
    assert_eq!(r.unwrap().format(), FileFormat::PcapModified);
}

#[test]
fn pcap_cut_short_reports_frame_and_offset() {
    let mut f = pcap(0xa1b2c3d4, false, 1, 65535, &[(1, 0, b"abcd"), (2, 0, b"efgh")], false);
    f.truncate(f.len() - 2);
    let (frames, err, _) = read_all(f);
    assert_eq!(frames.len(), 1);
    match err {
        Some(ReadError::CutShort { frame, offset }) => assert_eq!((frame, offset), (2, 24 + 16 + 4)),
        other => panic!("expected CutShort, got {other:?}"),
    }
}

#[test]
fn pcap_absurd_length_is_refused_without_allocating() {
    let mut f = pcap(0xa1b2c3d4, false, 1, 65535, &[(1, 0, b"abcd")], false);
    f.extend(1u32.to_le_bytes());
    f.extend(0u32.to_le_bytes());
    f.extend(0x4000_0000u32.to_le_bytes());
    f.extend(0x4000_0000u32.to_le_bytes());
    let (frames, err, _) = read_all(f);
    assert_eq!(frames.len(), 1);
    assert!(matches!(err, Some(ReadError::AbsurdLength { frame: 2, len: 0x4000_0000, .. })), "{err:?}");
}

#[test]
fn not_a_capture_and_empty() {
    let (_, err, _) = read_all(b"<!DOCTYPE html>".to_vec());
    let e = err.expect("error");
    assert_eq!(e.to_string(), "not a pcap or pcapng file (starts with 3c 21 44 4f)");
    let (_, err, _) = read_all(Vec::new());
    assert!(matches!(err, Some(ReadError::Empty)));
    let (_, err, _) = read_all(vec![0xd4, 0xc3, 0xb2, 0xa1, 2, 0]);
    assert!(matches!(err, Some(ReadError::HeaderCutShort { got: 6, need: 24 })), "{err:?}");
}

#[test]
fn pcapng_sections_interfaces_resolutions_comments_and_secrets() {
    let mut f = Vec::new();
    // Section 1, little-endian: one Ethernet interface with ns resolution and a 10 s offset.
    f.extend(shb(false));
    let mut o = opt(false, 2, b"eth0");
    o.extend(opt(false, 9, &[9]));
    o.extend(opt(false, 14, &10u64.to_le_bytes()));
    f.extend(idb(false, 1, &o));
    f.extend(epb(false, 0, 1_500_000_000_123_456_789, b"frame-one", &opt(false, 1, b"hello")));
    let mut dsb = Vec::new();
    dsb.extend(0x544c534bu32.to_le_bytes());
    dsb.extend(5u32.to_le_bytes());
    dsb.extend(b"KEYS!");
    f.extend(block(false, 0x0a, &dsb));
    f.extend(block(false, 0x1234, b"unknown block skipped"));
    // Section 2, big-endian: raw IP with binary resolution 2^-10.
    f.extend(shb(true));
    f.extend(idb(true, 101, &opt(true, 9, &[0x80 | 10])));
    f.extend(epb(true, 0, (7 << 10) | 512, b"two", &[]));
    let (frames, err, r) = read_all(f);
    assert!(err.is_none(), "{err:?}");
    let r = r.unwrap();
    assert_eq!(frames.len(), 2);
    assert_eq!((frames[0].1, frames[0].2), (1_500_000_010, 123_456_789));
    assert_eq!(frames[0].4, LinkType::ETHERNET);
    assert_eq!((frames[1].1, frames[1].2, frames[1].4), (7, 500_000_000, LinkType::RAW));
    assert_eq!(r.interfaces().len(), 2);
    assert_eq!(r.interfaces()[0].name.as_deref(), Some("eth0"));
    assert_eq!(r.secrets().len(), 1);
    assert_eq!(r.secrets()[0].data, b"KEYS!");
}

#[test]
fn pcapng_comment_reaches_the_frame() {
    let mut f = shb(false);
    f.extend(idb(false, 1, &[]));
    f.extend(epb(false, 0, 0, b"x", &opt(false, 1, b"a comment")));
    let mut r = FileReader::new(Box::new(std::io::Cursor::new(f))).unwrap();
    let fr = r.next_frame().unwrap().unwrap();
    assert_eq!(fr.meta.comments, vec!["a comment".to_string()]);
}

#[test]
fn pcapng_bad_block_lengths() {
    let mut f = shb(false);
    f.extend(idb(false, 1, &[]));
    f.extend(6u32.to_le_bytes());
    f.extend(0x7fff_fff0u32.to_le_bytes());
    let (_, err, _) = read_all(f);
    assert!(matches!(err, Some(ReadError::AbsurdLength { .. })), "{err:?}");
    let mut f = shb(false);
    f.extend(6u32.to_le_bytes());
    f.extend(13u32.to_le_bytes());
    f.extend([0u8; 16]);
    let (_, err, _) = read_all(f);
    assert!(matches!(err, Some(ReadError::Corrupt { .. })), "{err:?}");
    // A packet on an interface that was never described.
    let mut f = shb(false);
    f.extend(epb(false, 3, 0, b"x", &[]));
    let (_, err, _) = read_all(f);
    assert!(matches!(err, Some(ReadError::Corrupt { .. })), "{err:?}");
}

#[test]
fn gzip_and_zstd_are_recognised_by_magic() {
    let plain = pcap(0xa1b2c3d4, false, 1, 65535, &[(1, 0, b"compressed!")], false);
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(&plain).unwrap();
    let gz = gz.finish().unwrap();
    let zs = zstd::encode_all(&plain[..], 3).unwrap();
    for (bytes, kind) in [(gz, "gzip"), (zs, "zstd")] {
        let (frames, err, r) = read_all(bytes);
        assert!(err.is_none(), "{kind}: {err:?}");
        assert_eq!(frames[0].3, b"compressed!");
        assert_eq!(r.unwrap().compression(), Some(kind));
    }
}

#[test]
fn a_pipe_delivering_bytes_one_at_a_time_still_reads() {
    struct Trickle(Vec<u8>, usize);
    impl std::io::Read for Trickle {
        fn read(&mut self, b: &mut [u8]) -> std::io::Result<usize> {
            if self.1 >= self.0.len() || b.is_empty() {
                return Ok(0);
            }
            b[0] = self.0[self.1];
            self.1 += 1;
            Ok(1)
        }
    }
    let f = pcap(0xa1b2c3d4, false, 1, 65535, &[(1, 0, b"abc"), (2, 0, b"def")], false);
    let mut r = FileReader::new(Box::new(Trickle(f, 0))).unwrap();
    let mut n = 0;
    while let Some(fr) = r.next_frame().unwrap() {
        n += fr.data.len();
    }
    assert_eq!(n, 6);
}
