//! The flat, reusable field tree that dissectors fill.
//!
//! Nodes are kept in pre-order with a depth, in one `Vec` that is cleared (not
//! freed) between frames, so dissecting a frame allocates nothing in steady state.
//! What is kept is decided by [`Want`]: everything (detail view, JSON), only some
//! fields (a filter or `-e`), or nothing (summary lines): the lazy dissection of
//! the architecture guide.

use crate::{FieldDef, Value};

/// Which fields a dissection should keep.
#[derive(Debug, Clone, Default)]
pub enum Want {
    /// Every field (detail tree, JSON).
    #[default]
    All,
    /// Only the fields whose ids are set in the bit set.
    Some(Vec<u64>),
    /// No field at all (columns only).
    Nothing,
}

impl Want {
    /// A bit set of the given field ids.
    pub fn fields(ids: impl IntoIterator<Item = u32>) -> Want {
        let mut bits = Vec::new();
        for id in ids {
            let (w, b) = ((id / 64) as usize, id % 64);
            if bits.len() <= w {
                bits.resize(w + 1, 0u64);
            }
            bits[w] |= 1 << b;
        }
        Want::Some(bits)
    }

    /// True when the field should be kept.
    #[inline]
    pub fn wants(&self, f: &FieldDef) -> bool {
        match self {
            Want::All => true,
            Want::Nothing => false,
            Want::Some(bits) => {
                let id = f.id();
                bits.get((id / 64) as usize).is_some_and(|w| w & (1 << (id % 64)) != 0)
            }
        }
    }
}

/// Severity of an expert item (Wireshark's PI_ levels).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// Comment.
    Comment,
    /// Chat: normal workflow.
    Chat,
    /// Note: unusual but valid.
    Note,
    /// Warning: probably a problem.
    Warning,
    /// Error: malformed.
    Error,
}

impl Severity {
    /// Lower-case name as tshark prints it.
    pub fn name(self) -> &'static str {
        match self {
            Severity::Comment => "Comment",
            Severity::Chat => "Chat",
            Severity::Note => "Note",
            Severity::Warning => "Warning",
            Severity::Error => "Error",
        }
    }
}

/// An expert item: something a dissector wants a human to notice.
#[derive(Debug, Clone)]
pub struct Expert {
    /// The expert field (e.g. `_ws.malformed`, `ip.checksum_bad.expert`).
    pub field: &'static FieldDef,
    /// Severity.
    pub severity: Severity,
    /// Group name (Malformed, Sequence, Protocol...).
    pub group: &'static str,
    /// Short name of the protocol that raised it (`TCP`, `HTTP`).
    pub protocol: &'static str,
    /// The message.
    pub message: String,
}

/// One node of the tree.
#[derive(Debug, Clone)]
pub struct Node {
    /// The field.
    pub field: &'static FieldDef,
    /// Its value.
    pub value: Value,
    /// First byte in the frame.
    pub start: u32,
    /// Number of bytes.
    pub len: u32,
    /// Nesting depth (0 = a protocol at top level).
    pub depth: u16,
    /// Index+1 of a custom label in the label pool (0 = none).
    pub label: u32,
}

/// The tree of one frame.
#[derive(Debug)]
pub struct Tree {
    nodes: Vec<Node>,
    labels: Vec<String>,
    labels_used: usize,
    depth: u16,
    want: Want,
    /// `want`'s bit set, flat (empty unless `Want::Some`): the test every
    /// field of every frame goes through.
    bits: Box<[u64]>,
    /// Kept when a field's id is past `bits`: every field, or none.
    all: bool,
    /// Expert items raised while dissecting the frame.
    pub experts: Vec<Expert>,
}

impl Default for Tree {
    /// A tree keeping every field.
    fn default() -> Self {
        Tree::new(Want::All)
    }
}

impl Tree {
    /// An empty tree keeping the fields `want` asks for.
    pub fn new(want: Want) -> Self {
        let bits = match &want {
            Want::Some(b) => b.clone().into_boxed_slice(),
            _ => Box::default(),
        };
        let all = matches!(want, Want::All);
        Tree { nodes: Vec::new(), labels: Vec::new(), labels_used: 0, depth: 0, want, bits, all, experts: Vec::new() }
    }

    /// Forget the previous frame's nodes, keeping the allocations.
    pub fn clear(&mut self) {
        self.nodes.clear();
        self.labels_used = 0;
        self.depth = 0;
        self.experts.clear();
    }

    /// True when `f` is kept.
    #[inline]
    pub fn wants(&self, f: &FieldDef) -> bool {
        let id = f.id() as usize;
        match self.bits.get(id >> 6) {
            Some(w) => (w >> (id & 63)) & 1 != 0,
            None => self.all,
        }
    }

    /// True when every field is kept (detail tree): labels are worth building.
    #[inline]
    pub fn wants_all(&self) -> bool {
        matches!(self.want, Want::All)
    }

    /// True when nothing is kept.
    #[inline]
    pub fn wants_nothing(&self) -> bool {
        matches!(self.want, Want::Nothing)
    }

    /// Add a node at the current depth. Returns its index when kept.
    #[inline(always)]
    pub fn add(&mut self, field: &'static FieldDef, start: usize, len: usize, value: Value) -> Option<usize> {
        // Most fields of most frames are not kept: that test stays inline,
        // the push does not.
        if !self.wants(field) {
            return None;
        }
        Some(self.push(field, start, len, value))
    }

    #[inline]
    fn push(&mut self, field: &'static FieldDef, start: usize, len: usize, value: Value) -> usize {
        self.nodes.push(Node {
            field,
            value,
            start: start as u32,
            len: len as u32,
            depth: self.depth,
            label: 0,
        });
        self.nodes.len() - 1
    }

    /// Add a node with a custom label (the closure runs only when the node is kept).
    #[inline]
    pub fn add_labeled(
        &mut self,
        field: &'static FieldDef,
        start: usize,
        len: usize,
        value: Value,
        label: impl FnOnce(&mut String),
    ) -> Option<usize> {
        let idx = self.add(field, start, len, value)?;
        self.set_label(idx, label);
        Some(idx)
    }

    /// Give node `idx` a custom label.
    pub fn set_label(&mut self, idx: usize, label: impl FnOnce(&mut String)) {
        if idx >= self.nodes.len() {
            return;
        }
        if self.labels_used == self.labels.len() {
            self.labels.push(String::new());
        }
        let s = &mut self.labels[self.labels_used];
        s.clear();
        label(s);
        self.labels_used += 1;
        self.nodes[idx].label = self.labels_used as u32;
    }

    /// Go one level deeper: following nodes are children of the last one.
    #[inline]
    pub fn enter(&mut self) {
        self.depth = self.depth.saturating_add(1);
    }

    /// Come back up one level.
    #[inline]
    pub fn leave(&mut self) {
        self.depth = self.depth.saturating_sub(1);
    }

    /// Current depth.
    #[inline]
    pub fn depth(&self) -> u16 {
        self.depth
    }

    /// Set the current depth (used by the engine between protocols).
    #[inline]
    pub fn set_depth(&mut self, d: u16) {
        self.depth = d;
    }

    /// Change the length of node `idx` (a protocol whose size is known late).
    pub fn set_len(&mut self, idx: Option<usize>, len: usize) {
        if let Some(n) = idx.and_then(|i| self.nodes.get_mut(i)) {
            n.len = len as u32;
        }
    }

    /// Replace the value of node `idx`.
    pub fn set_value(&mut self, idx: Option<usize>, value: Value) {
        if let Some(n) = idx.and_then(|i| self.nodes.get_mut(i)) {
            n.value = value;
        }
    }

    /// The nodes, in pre-order.
    #[inline]
    pub fn nodes(&self) -> &[Node] {
        &self.nodes
    }

    /// The custom label of a node, if it has one.
    #[inline]
    pub fn label(&self, n: &Node) -> Option<&str> {
        if n.label == 0 {
            None
        } else {
            self.labels.get(n.label as usize - 1).map(|s| s.as_str())
        }
    }

    /// Raise an expert item.
    pub fn expert(&mut self, field: &'static FieldDef, protocol: &'static str, severity: crate::Severity, group: &'static str, message: String) {
        self.experts.push(Expert { field, severity, group, protocol, message });
    }
}
