//! IP fragment reassembly with hard caps (shared by IPv4 and IPv6).
//!
//! Fragments are copied (their frames are gone by the time the last fragment
//! arrives). Memory is bounded: at most [`MAX_PENDING`] datagrams and
//! [`MAX_BYTES`] buffered bytes; beyond that the oldest datagram is dropped.
//! Overlapping data keeps the bytes that arrived first.

use std::collections::VecDeque;

use rustc_hash::FxHashMap as HashMap;
use std::hash::Hash;

/// Datagrams waiting for fragments.
pub const MAX_PENDING: usize = 4096;
/// Bytes buffered over all pending datagrams.
pub const MAX_BYTES: usize = 32 << 20;
/// Largest datagram reassembled (IPv4/IPv6 payload length limit).
pub const MAX_DATAGRAM: usize = 65_535;

#[derive(Default)]
struct Datagram {
    parts: Vec<(usize, Vec<u8>)>,
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

impl<K: Hash + Eq + Clone> Defrag<K> {
    /// Add a fragment at byte offset `off`; `last` when no more fragments follow.
    /// Returns the whole payload when this fragment completes it.
    pub fn add(&mut self, key: K, off: usize, data: &[u8], last: bool) -> Option<Vec<u8>> {
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
        d.parts.push((off, data.to_vec()));
        d.bytes += data.len();
        self.bytes += data.len();
        if last {
            d.total = Some(off + data.len());
        }
        let total = d.total?;
        let mut spans: Vec<(usize, usize)> = d.parts.iter().map(|(o, b)| (*o, o + b.len())).collect();
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
        for (o, b) in d.parts.iter().rev() {
            let end = (o + b.len()).min(total);
            if *o < end {
                out[*o..end].copy_from_slice(&b[..end - o]);
            }
        }
        Some(out)
    }
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
                got = got.or(d.add(1u32, s, &whole[s..e], e == 100));
            }
            assert_eq!(got.as_deref(), Some(&whole[..]));
        }
    }

    #[test]
    fn gaps_and_caps() {
        let mut d = Defrag::default();
        assert!(d.add(1u32, 0, &[1; 8], false).is_none());
        assert!(d.add(1u32, 16, &[1; 8], true).is_none());
        assert!(d.add(2u32, 65_530, &[0; 10], true).is_none(), "beyond the IP maximum");
        for k in 0..(MAX_PENDING as u32 + 10) {
            d.add(k + 10, 0, &[0; 8], false);
        }
        assert!(d.pending.len() <= MAX_PENDING);
    }
}
