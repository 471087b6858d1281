//! `-z expert[,error|warn|note|chat|comment][,FILTER]`: expert items counted
//! by severity, then by protocol and summary, in first-seen order
//! (docs/research/z-reports.md §6).

use std::fmt::Write;

use rustc_hash::FxHashMap as HashMap;
use wirecrab_core::{FieldDef, Severity, Timestamp};
use wirecrab_dissect::Registry;

use crate::FrameView;

/// Longest summary tshark keeps (its label buffer).
const SUMMARY_MAX: usize = 239;

struct Entry {
    group: &'static str,
    protocol: &'static str,
    summary: String,
    count: u64,
}

/// `-z expert`.
pub struct ExpertReport {
    min: Severity,
    /// Per severity (Error first): entries and their index by (protocol, summary).
    sections: [(Vec<Entry>, HashMap<(&'static str, String), usize>); 5],
}

const ORDER: [(Severity, &str); 5] = [
    (Severity::Error, "Errors"),
    (Severity::Warning, "Warns"),
    (Severity::Note, "Notes"),
    (Severity::Chat, "Chats"),
    (Severity::Comment, "Comments"),
];

impl ExpertReport {
    /// Parse what follows `expert`: an optional minimum level, then an
    /// optional filter. Returns the report and the filter text.
    pub fn parse(args: &str) -> Result<(ExpertReport, Option<String>), String> {
        let mut rest = args;
        let mut min = Severity::Comment;
        if let Some(r) = rest.strip_prefix(',') {
            rest = r;
            let (word, after) = r.split_once(',').unwrap_or((r, ""));
            let lower = word.to_ascii_lowercase();
            let level = [("error", Severity::Error), ("warn", Severity::Warning), ("note", Severity::Note), ("chat", Severity::Chat), ("comment", Severity::Comment)]
                .into_iter()
                .find(|(n, _)| lower.starts_with(n));
            if let Some((_, l)) = level {
                min = l;
                rest = after;
            }
        } else if !rest.is_empty() {
            return Err("use -z expert[,error|warn|note|chat|comment][,FILTER]".into());
        }
        let filter = Some(rest.to_string()).filter(|f| !f.trim().is_empty());
        Ok((ExpertReport { min, sections: Default::default() }, filter))
    }
}

impl crate::Report for ExpertReport {
    fn wanted_fields(&self) -> Vec<&'static FieldDef> {
        // Experts come from every dissector's full work.
        Registry::get().fields.clone()
    }

    fn frame(&mut self, v: &FrameView<'_>) {
        for e in &v.d.tree.experts {
            if e.severity < self.min {
                continue;
            }
            let Some(i) = ORDER.iter().position(|(s, _)| *s == e.severity) else { continue };
            let (entries, index) = &mut self.sections[i];
            let mut summary = e.message.clone();
            if summary.len() > SUMMARY_MAX {
                let mut cut = SUMMARY_MAX;
                while !summary.is_char_boundary(cut) {
                    cut -= 1;
                }
                summary.truncate(cut);
            }
            match index.get(&(e.protocol, summary.clone())) {
                Some(&k) => entries[k].count += 1,
                None => {
                    index.insert((e.protocol, summary.clone()), entries.len());
                    entries.push(Entry { group: e.group, protocol: e.protocol, summary, count: 1 });
                }
            }
        }
    }

    fn write(&self, out: &mut String, _first: Timestamp) {
        for (i, (_, title)) in ORDER.iter().enumerate() {
            let entries = &self.sections[i].0;
            if entries.is_empty() {
                continue;
            }
            let total: u64 = entries.iter().map(|e| e.count).sum();
            let _ = write!(out, "\n{title} ({total})\n=============\n   Frequency      Group           Protocol  Summary\n");
            for e in entries {
                let _ = writeln!(out, "{:>12} {:>10} {:>18}  {}", e.count, e.group, e.protocol, e.summary);
            }
        }
    }
}
