//! IP fragment reassembly with hard caps (shared by IPv4 and IPv6).
//!
//! Fragments are copied (their frames are gone by the time the last fragment
//! arrives). Memory is bounded: at most [`MAX_PENDING`] datagrams and
//! [`MAX_BYTES`] buffered bytes; beyond that the oldest datagram is dropped.
//! Overlapping data keeps the bytes that arrived first.

use std::collections::VecDeque;
use std::fmt::Write;

use wirecrab_core::{FieldDef, Value};

use crate::ctx::Ctx;

use rustc_hash::FxHashMap as HashMap;
use std::hash::Hash;

/// Datagrams waiting for fragments.
pub const MAX_PENDING: usize = 4096;
/// Bytes buffered over all pending datagrams.
pub const MAX_BYTES: usize = 32 << 20;
/// Fragments kept per datagram: a real one needs at most 45 (64 KiB in
/// 1480-byte pieces); thousands of tiny or overlapping ones are an attack
/// on the per-fragment work, and such a datagram is given up.
pub const MAX_FRAGMENTS: usize = 1024;
/// Largest datagram reassembled (IPv4/IPv6 payload length limit).
pub const MAX_DATAGRAM: usize = 65_535;

#[derive(Default)]
struct Datagram {
    /// Frame number, offset and bytes of each fragment, in arrival order.
    parts: Vec<(u64, usize, Vec<u8>)>,
    total: Option<usize>,
    bytes: usize,
}

/// Pending datagrams keyed by `K` (addresses, id, protocol).
pub struct Defrag<K> {
    pending: HashMap<K, Datagram>,
    order: VecDeque<K>,
    bytes: usize,
}

impl<K> Default for Defrag<K> {
    fn default() -> Self {
        Defrag { pending: HashMap::default(), order: VecDeque::new(), bytes: 0 }
    }
}

/// A datagram made whole, and the fragments it was made of.
pub struct Reassembled {
    /// The payload.
    pub data: Vec<u8>,
    /// Frame number, offset and length of each fragment, by offset.
    pub parts: Vec<(u64, usize, usize)>,
}

impl<K: Hash + Eq + Clone> Defrag<K> {
    /// Add the fragment of frame `frame` at byte offset `off`; `last` when no
    /// more fragments follow. Returns the datagram when this fragment completes it.
    pub fn add(&mut self, key: K, frame: u64, off: usize, data: &[u8], last: bool) -> Option<Reassembled> {
        if off + data.len() > MAX_DATAGRAM {
            return None;
        }
        if !self.pending.contains_key(&key) {
            while self.pending.len() >= MAX_PENDING || self.bytes + data.len() > MAX_BYTES {
                let Some(old) = self.order.pop_front() else { break };
                if let Some(d) = self.pending.remove(&old) {
                    self.bytes -= d.bytes;
                }
            }
            self.order.push_back(key.clone());
        }
        let d = self.pending.entry(key.clone()).or_default();
        if d.parts.len() >= MAX_FRAGMENTS {
            let d = self.pending.remove(&key)?;
            self.bytes -= d.bytes;
            self.order.retain(|k| k != &key);
            return None;
        }
        d.parts.push((frame, off, data.to_vec()));
        d.bytes += data.len();
        self.bytes += data.len();
        if last {
            d.total = Some(off + data.len());
        }
        let total = d.total?;
        let mut spans: Vec<(usize, usize)> = d.parts.iter().map(|(_, o, b)| (*o, o + b.len())).collect();
        spans.sort_unstable();
        let mut covered = 0;
        for (s, e) in spans {
            if s > covered {
                return None;
            }
            covered = covered.max(e);
        }
        if covered < total {
            return None;
        }
        let d = self.pending.remove(&key)?;
        self.bytes -= d.bytes;
        self.order.retain(|k| k != &key);
        let mut out = vec![0u8; total];
        // Earlier fragments win on overlap: write them last.
        for (_, o, b) in d.parts.iter().rev() {
            let end = (o + b.len()).min(total);
            if *o < end {
                out[*o..end].copy_from_slice(&b[..end - o]);
            }
        }
        let mut parts: Vec<(u64, usize, usize)> = d.parts.iter().map(|(f, o, b)| (*f, *o, b.len())).collect();
        parts.sort_by_key(|p| (p.1, p.0));
        Some(Reassembled { data: out, parts })
    }
}

/// The fields a reassembled datagram shows, per IP version.
pub struct FragmentFields {
    /// `IPv4` or `IPv6`, for labels.
    pub family: &'static str,
    /// `ip.fragments`: the subtree (IPv4: the reassembled bytes).
    pub fragments: &'static FieldDef,
    /// `ip.fragment`: one frame number per fragment.
    pub fragment: &'static FieldDef,
    /// `ip.fragment.count`.
    pub count: &'static FieldDef,
    /// `ip.reassembled.length`.
    pub length: &'static FieldDef,
    /// `ip.reassembled.data`, where Wireshark has it.
    pub data: Option<&'static FieldDef>,
}

/// Add Wireshark's "[n IPv4 Fragments (len bytes): #1(1480), ...]" subtree
/// at the top level of the frame that completed the datagram.
pub fn fragment_fields(ctx: &mut Ctx<'_, '_>, f: &FragmentFields, r: &Reassembled) {
    let total = r.data.len();
    let depth = ctx.tree.depth();
    ctx.tree.set_depth(0);
    let value = if f.fragments.ty == wirecrab_core::FieldType::Bytes && ctx.tree.wants(f.fragments) {
        Value::OwnedBytes(r.data.as_slice().into())
    } else {
        Value::None
    };
    let idx = ctx.tree.add(f.fragments, 0, 0, value);
    ctx.label(idx, |s| {
        let _ = write!(s, "{} {} Fragments ({total} bytes): ", r.parts.len(), f.family);
        for (i, (frame, _, len)) in r.parts.iter().enumerate() {
            let _ = write!(s, "{}#{frame}({len})", if i > 0 { ", " } else { "" });
        }
    });
    ctx.tree.enter();
    for (frame, off, len) in &r.parts {
        let i = ctx.tree.add(f.fragment, 0, 0, Value::U(*frame));
        ctx.label(i, |s| {
            let _ = write!(s, "Frame: {frame}, payload: {off}-{} ({len} bytes)", (off + len).max(1) - 1);
        });
    }
    ctx.tree.add(f.count, 0, 0, Value::U(r.parts.len() as u64));
    ctx.tree.add(f.length, 0, 0, Value::U(total as u64));
    if let Some(d) = f.data {
        if ctx.tree.wants(d) {
            ctx.tree.add(d, 0, 0, Value::OwnedBytes(r.data.as_slice().into()));
        }
    }
    ctx.tree.leave();
    ctx.tree.set_depth(depth);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn any_order_gives_the_same_datagram() {
        let whole: Vec<u8> = (0..100u8).collect();
        let pieces = [(0, 40), (40, 80), (80, 100)];
        for perm in [[0, 1, 2], [2, 1, 0], [1, 2, 0], [2, 0, 1]] {
            let mut d = Defrag::default();
            let mut got = None;
            for &i in &perm {
                let (s, e) = pieces[i];
                got = got.or(d.add(1u32, i as u64 + 1, s, &whole[s..e], e == 100).map(|r| r.data));
            }
            assert_eq!(got.as_deref(), Some(&whole[..]));
        }
    }

    #[test]
    fn gaps_and_caps() {
        let mut d = Defrag::default();
        assert!(d.add(1u32, 1, 0, &[1; 8], false).is_none());
        assert!(d.add(1u32, 2, 16, &[1; 8], true).is_none());
        assert!(d.add(2u32, 3, 65_530, &[0; 10], true).is_none(), "beyond the IP maximum");
        for k in 0..(MAX_PENDING as u32 + 10) {
            d.add(k + 10, 4, 0, &[0; 8], false);
        }
        assert!(d.pending.len() <= MAX_PENDING);
    }
}
