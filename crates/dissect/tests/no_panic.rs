//! Property: any bytes, from any link type, in any mode, dissect without
//! panicking, and the tree's byte ranges stay inside the frame.

use proptest::prelude::*;
use wirecrab_core::{FrameMeta, LinkType, Value, Want};
use wirecrab_dissect::{Dissector, Options};

const LINKS: [u32; 11] = [0, 1, 12, 14, 101, 108, 113, 228, 229, 276, 147];

/// Frames that start like real ones, so the fuzzing reaches deep layers:
/// Ethernet + IPv4 + UDP/TCP headers with random tails.
fn plausible() -> impl Strategy<Value = Vec<u8>> {
    let heads: Vec<Vec<u8>> = vec![
        // Ethernet, IPv4, UDP to 53
        hex("ffffffffffff0011223344550800450000400001000040110000c0a80001c0a80002c350003500280000"),
        // Ethernet, IPv4, TCP SYN with options
        hex("ffffffffffff00112233445508004500003c0001400040060000c0a80001c0a80002c35000500000000100000000a0020000000000000204059c0402080a"),
        // Ethernet, IPv6, UDP to 4789 (VXLAN)
        hex("ffffffffffff00112233445586dd6000000000201140fe800000000000000000000000000001fe80000000000000000000000000000212b512b50020000008000000000001000"),
        // Ethernet, 802.1Q, IPv4 fragment
        hex("ffffffffffff0011223344558100006408004500001c00012001401100000a0000010a000002"),
    ];
    (prop::sample::select(heads), prop::collection::vec(any::<u8>(), 0..200)).prop_map(|(mut h, t)| {
        h.extend(t);
        h
    })
}

fn hex(s: &str) -> Vec<u8> {
    (0..s.len() / 2).map(|i| u8::from_str_radix(&s[2 * i..2 * i + 2], 16).unwrap_or(0)).collect()
}

fn check(link: u32, bytes: &[u8], extra: u32) {
    for want in [Want::All, Want::Nothing] {
        let mut d = Dissector::new(Options { want, columns: true, protocols: true });
        for n in 1..=2u64 {
            let meta = FrameMeta {
                number: n,
                has_ts: true,
                orig_len: bytes.len() as u32 + extra,
                cap_len: bytes.len() as u32,
                link_type: LinkType(link),
                ..Default::default()
            };
            let r = d.dissect(&meta, bytes);
            for node in r.tree.nodes() {
                if matches!(node.value, Value::Bytes | Value::Str) {
                    assert!((node.start as usize + node.len as usize) <= bytes.len(), "{} points outside the frame", node.field.abbrev);
                }
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn random_bytes_from_any_link_type(link in prop::sample::select(LINKS.to_vec()), bytes in prop::collection::vec(any::<u8>(), 0..300), extra in 0u32..3) {
        check(link, &bytes, extra * 50);
    }

    #[test]
    fn plausible_frames_with_random_tails(bytes in plausible(), cut in 0usize..300, extra in 0u32..3) {
        let cut = cut.min(bytes.len());
        check(1, &bytes[..cut], extra * 50);
        check(1, &bytes, 0);
    }
}
