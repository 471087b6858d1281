//! One tester, every segmentation: the same two byte streams cut into random
//! segments, retransmitted, overlapped and reordered must come out of
//! reassembly identical, with gaps only where bytes were really missing or
//! the buffer cap forced them.

use proptest::prelude::*;
use wirecrab_flow::{Budget, Event, Limits, Segment, Stream};

/// A piece of a stream to send: where it starts and how long it is.
#[derive(Debug, Clone)]
struct Piece {
    dir: usize,
    at: usize,
    len: usize,
}

/// Cut `len` bytes into pieces of 1..=max bytes.
fn cuts(len: usize, max: usize, seed: &[usize]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let (mut at, mut i) = (0, 0);
    while at < len {
        let n = (seed[i % seed.len()] % max + 1).min(len - at);
        out.push((at, n));
        at += n;
        i += 1;
    }
    out
}

struct Outcome {
    data: [Vec<(u64, Vec<u8>)>; 2],
    gaps: [Vec<(u64, u64)>; 2],
    fins: [Vec<u64>; 2],
}

fn run(streams: &[Vec<u8>; 2], isn: [u32; 2], pieces: &[Piece], limits: Limits) -> Outcome {
    let mut s = Stream::new(limits);
    let mut o = Outcome { data: Default::default(), gaps: Default::default(), fins: Default::default() };
    let mut sink = |e: Event<'_>| record(&mut o, e);
    for dir in 0..2 {
        s.segment(dir, &Segment { seq: isn[dir], syn: true, fin: false, rst: false, payload: b"" }, &mut sink);
    }
    for p in pieces {
        let bytes = &streams[p.dir][p.at..p.at + p.len];
        let last = p.at + p.len == streams[p.dir].len();
        let seq = isn[p.dir].wrapping_add(1).wrapping_add(p.at as u32);
        s.segment(p.dir, &Segment { seq, syn: false, fin: last, rst: false, payload: bytes }, &mut sink);
    }
    s.finish(&mut sink);
    o
}

/// Data and gaps of one direction must tile [0, n) in order for some n up
/// to the stream's length (a lost tail is unknowable), covering all of it
/// when `complete`; data must be the original bytes.
fn check_tiling(stream: &[u8], data: &[(u64, Vec<u8>)], gaps: &[(u64, u64)], complete: bool) -> Result<u64, TestCaseError> {
    let mut parts: Vec<(u64, u64, Option<&Vec<u8>>)> = data.iter().map(|(o, b)| (*o, b.len() as u64, Some(b))).collect();
    parts.extend(gaps.iter().map(|(o, l)| (*o, *l, None)));
    parts.sort_by_key(|p| p.0);
    let mut next = 0u64;
    let mut gap_bytes = 0;
    for (o, l, b) in parts {
        prop_assert_eq!(o, next, "pieces must follow each other without overlap");
        match b {
            Some(b) => prop_assert_eq!(&b[..], &stream[o as usize..(o + l) as usize]),
            None => gap_bytes += l,
        }
        next = o + l;
    }
    if complete {
        prop_assert_eq!(next, stream.len() as u64);
    } else {
        prop_assert!(next <= stream.len() as u64);
    }
    Ok(gap_bytes)
}

fn scenario() -> impl Strategy<Value = ([Vec<u8>; 2], [u32; 2], Vec<Piece>, Vec<usize>)> {
    (
        prop::collection::vec(any::<u8>(), 1..3000),
        prop::collection::vec(any::<u8>(), 1..3000),
        any::<[u32; 2]>(),
        prop::collection::vec(1usize..5000, 1..40),
        prop::collection::vec(0usize..1000, 0..60),
    )
        .prop_map(|(a, b, isn, seed, shuffle)| {
            let streams = [a, b];
            let mut pieces = Vec::new();
            for dir in 0..2 {
                for (at, len) in cuts(streams[dir].len(), 1400, &seed) {
                    pieces.push(Piece { dir, at, len });
                }
            }
            (streams, isn, pieces, shuffle)
        })
}

/// Reorder pieces a little and retransmit some, overlapping: every byte is
/// still sent at least once.
fn disorder(pieces: &[Piece], shuffle: &[usize], streams: &[Vec<u8>; 2]) -> Vec<Piece> {
    let mut out = pieces.to_vec();
    for (i, s) in shuffle.iter().enumerate() {
        if out.is_empty() {
            break;
        }
        let a = s % out.len();
        let b = (a + 1 + i % 3).min(out.len() - 1);
        out.swap(a, b);
        if s % 4 == 0 {
            // A retransmission that straddles two original segments.
            let p = out[a].clone();
            let len = (p.len + s % 700).min(streams[p.dir].len() - p.at);
            out.push(Piece { len, ..p });
        }
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn every_segmentation_and_order_gives_the_same_bytes((streams, isn, pieces, shuffle) in scenario()) {
        let sent = disorder(&pieces, &shuffle, &streams);
        let o = run(&streams, isn, &sent, Limits { max_buffer: 1 << 20 });
        for dir in 0..2 {
            let gaps = check_tiling(&streams[dir], &o.data[dir], &o.gaps[dir], true)?;
            prop_assert_eq!(gaps, 0, "nothing was missing, so nothing may be a gap");
            prop_assert_eq!(&o.fins[dir], &vec![streams[dir].len() as u64]);
        }
        // The same bytes in order, one segment each, give the same result.
        let plain = run(&streams, isn, &pieces, Limits::default());
        for dir in 0..2 {
            let a: Vec<u8> = o.data[dir].iter().flat_map(|(_, b)| b.clone()).collect();
            let b: Vec<u8> = plain.data[dir].iter().flat_map(|(_, b)| b.clone()).collect();
            prop_assert_eq!(a, b);
        }
    }

    #[test]
    fn lost_segments_and_a_small_cap_give_gaps_never_wrong_bytes(
        (streams, isn, pieces, shuffle) in scenario(),
        drop in prop::collection::vec(any::<bool>(), 0..40),
        cap in 1usize..4000,
    ) {
        let mut sent = disorder(&pieces, &shuffle, &streams);
        let mut i = 0;
        sent.retain(|_| { i += 1; !drop.get(i).copied().unwrap_or(false) });
        let o = run(&streams, isn, &sent, Limits { max_buffer: cap });
        for dir in 0..2 {
            check_tiling(&streams[dir], &o.data[dir], &o.gaps[dir], false)?;
        }
    }

    #[test]
    fn a_shared_budget_is_never_exceeded_and_every_byte_is_accounted_for(
        scenarios in prop::collection::vec(scenario(), 2..5),
        max in 1usize..6000,
    ) {
        // Several connections at once, their segments interleaved, all out
        // of order under one small global budget.
        let mut budget = Budget::new(max);
        let mut conns: Vec<(Stream, Outcome)> = scenarios
            .iter()
            .map(|_| (Stream::default(), Outcome { data: Default::default(), gaps: Default::default(), fins: Default::default() }))
            .collect();
        let sent: Vec<Vec<Piece>> = scenarios.iter().map(|(streams, _, pieces, shuffle)| disorder(pieces, shuffle, streams)).collect();
        let feed = |c: &mut (Stream, Outcome), budget: &mut Budget, dir: usize, seg: Segment<'_>| {
            let (s, o) = c;
            s.segment_shared(dir, &seg, budget, &mut |e| record(o, e));
        };
        for (i, (_, isn, _, _)) in scenarios.iter().enumerate() {
            for dir in 0..2 {
                feed(&mut conns[i], &mut budget, dir, Segment { seq: isn[dir], syn: true, fin: false, rst: false, payload: b"" });
            }
        }
        let longest = sent.iter().map(Vec::len).max().unwrap_or(0);
        for k in 0..longest {
            for (i, (streams, isn, _, _)) in scenarios.iter().enumerate() {
                let Some(p) = sent[i].get(k) else { continue };
                let bytes = &streams[p.dir][p.at..p.at + p.len];
                let last = p.at + p.len == streams[p.dir].len();
                let seq = isn[p.dir].wrapping_add(1).wrapping_add(p.at as u32);
                feed(&mut conns[i], &mut budget, p.dir, Segment { seq, syn: false, fin: last, rst: false, payload: bytes });
                prop_assert!(budget.used() <= max, "{} bytes held under a budget of {}", budget.used(), max);
                let held: usize = conns.iter().map(|(s, _)| s.buffered()).sum();
                prop_assert_eq!(held, budget.used());
            }
        }
        for (i, (streams, _, _, _)) in scenarios.iter().enumerate() {
            let (s, o) = &mut conns[i];
            s.finish_shared(&mut budget, &mut |e| record(o, e));
            for dir in 0..2 {
                // Nothing was lost, so data and gaps cover each stream whole.
                check_tiling(&streams[dir], &o.data[dir], &o.gaps[dir], true)?;
            }
        }
        prop_assert_eq!(budget.used(), 0);
    }
}

fn record(o: &mut Outcome, e: Event<'_>) {
    match e {
        Event::Data { dir, offset, bytes } => o.data[dir].push((offset, bytes.to_vec())),
        Event::Gap { dir, offset, len } => o.gaps[dir].push((offset, len)),
        Event::Fin { dir, offset } => o.fins[dir].push(offset),
        Event::Reset { .. } => {}
    }
}
