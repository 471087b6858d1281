//! `-T fields -e FIELD ... -E header=y -E separator=/t ...` in tshark's shape.

use wirecrab_core::FieldDef;
use wirecrab_dissect::names::write_u64;
use wirecrab_dissect::Registry;

use crate::summary::{write_time, TimeFormat};
use crate::time::TimeCache;
use crate::value::write_value;
use crate::FrameView;

/// Which occurrences of a multi-valued field to print (`-E occurrence=`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Occurrence {
    /// `a`: all.
    All,
    /// `f`: first.
    First,
    /// `l`: last.
    Last,
    /// `N`: the N-th (1-based).
    Nth(usize),
}

/// Quoting of field values (`-E quote=`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Quote {
    /// `n`: none.
    None,
    /// `d`: double quotes.
    Double,
    /// `s`: single quotes.
    Single,
}

/// The `-E` options.
#[derive(Debug, Clone)]
pub struct FieldsOptions {
    /// Print a header line with the field names.
    pub header: bool,
    /// Between fields.
    pub separator: String,
    /// Which occurrences.
    pub occurrence: Occurrence,
    /// Between occurrences.
    pub aggregator: String,
    /// Quoting.
    pub quote: Quote,
}

impl Default for FieldsOptions {
    fn default() -> Self {
        FieldsOptions {
            header: false,
            separator: "\t".into(),
            occurrence: Occurrence::All,
            aggregator: ",".into(),
            quote: Quote::None,
        }
    }
}

/// A column pseudo-field (`_ws.col.Info`...).
#[derive(Debug, Clone, Copy)]
enum Col {
    Number,
    Time,
    Source,
    Destination,
    Protocol,
    Length,
    Info,
}

#[derive(Debug, Clone, Copy)]
enum Target {
    Field(&'static FieldDef),
    Col(Col),
}

/// The column pseudo-fields `-e` accepts.
pub const COLUMN_FIELDS: &[&str] = &[
    "_ws.col.No.",
    "_ws.col.Time",
    "_ws.col.Source",
    "_ws.col.Destination",
    "_ws.col.Protocol",
    "_ws.col.Length",
    "_ws.col.Info",
];

fn column(name: &str) -> Option<Col> {
    Some(match name {
        "_ws.col.No." | "_ws.col.number" => Col::Number,
        "_ws.col.Time" | "_ws.col.cls_time" => Col::Time,
        "_ws.col.Source" | "_ws.col.def_src" => Col::Source,
        "_ws.col.Destination" | "_ws.col.def_dst" => Col::Destination,
        "_ws.col.Protocol" | "_ws.col.protocol" => Col::Protocol,
        "_ws.col.Length" | "_ws.col.packet_length" => Col::Length,
        "_ws.col.Info" | "_ws.col.info" => Col::Info,
        _ => return None,
    })
}

/// Writes `-T fields` rows.
pub struct FieldsSink {
    names: Vec<String>,
    targets: Vec<Target>,
    opts: FieldsOptions,
    /// Time format for `_ws.col.Time`.
    pub time: TimeFormat,
    tz: TimeCache,
    /// Per target: node indices of its values in the current frame.
    hits: Vec<Vec<u32>>,
    cell: String,
}

impl FieldsSink {
    /// A sink for these field names; unknown names are an error naming the
    /// closest known field.
    pub fn new(names: &[String], opts: FieldsOptions) -> Result<FieldsSink, String> {
        let reg = Registry::get();
        let mut targets = Vec::new();
        for n in names {
            if let Some(c) = column(n) {
                targets.push(Target::Col(c));
            } else if let Some(f) = reg.field(n) {
                targets.push(Target::Field(f));
            } else {
                let hint = reg.suggest(n).map(|s| format!(" — did you mean '{s}'?")).unwrap_or_default();
                return Err(format!("unknown field '{n}'{hint}"));
            }
        }
        Ok(FieldsSink {
            names: names.to_vec(),
            hits: vec![Vec::new(); targets.len()],
            targets,
            opts,
            time: TimeFormat::Relative,
            tz: TimeCache::default(),
            cell: String::new(),
        })
    }

    /// The registry fields this sink needs in the tree.
    pub fn wanted_fields(&self) -> Vec<&'static FieldDef> {
        self.targets
            .iter()
            .filter_map(|t| match t {
                Target::Field(f) => Some(*f),
                Target::Col(_) => None,
            })
            .collect()
    }

    /// True when some column pseudo-field is asked for.
    pub fn wants_columns(&self) -> bool {
        self.targets.iter().any(|t| matches!(t, Target::Col(_)))
    }

    /// Append the header line (when `-E header=y`).
    pub fn header(&self, out: &mut String) {
        if self.opts.header {
            for (i, n) in self.names.iter().enumerate() {
                if i > 0 {
                    out.push_str(&self.opts.separator);
                }
                out.push_str(n);
            }
            out.push('\n');
        }
    }

    fn quote(&self, out: &mut String) {
        match self.opts.quote {
            Quote::None => {}
            Quote::Double => out.push('"'),
            Quote::Single => out.push('\''),
        }
    }

    /// Append one row.
    pub fn frame(&mut self, out: &mut String, v: &FrameView<'_>) {
        for h in &mut self.hits {
            h.clear();
        }
        let nodes = v.d.tree.nodes();
        for (i, n) in nodes.iter().enumerate() {
            for (t, target) in self.targets.iter().enumerate() {
                if let Target::Field(f) = target {
                    if std::ptr::eq(*f, n.field) {
                        self.hits[t].push(i as u32);
                    }
                }
            }
        }
        for t in 0..self.targets.len() {
            if t > 0 {
                out.push_str(&self.opts.separator);
            }
            self.cell.clear();
            match self.targets[t] {
                Target::Col(c) => {
                    let cell = &mut self.cell;
                    match c {
                        Col::Number => write_u64(cell, v.meta.number),
                        Col::Time => write_time(cell, self.time, v, &mut self.tz),
                        Col::Source => v.d.cols.src().write(cell),
                        Col::Destination => v.d.cols.dst().write(cell),
                        Col::Protocol => cell.push_str(&v.d.cols.protocol),
                        Col::Length => write_u64(cell, v.meta.orig_len as u64),
                        Col::Info => v.d.cols.write_info(cell),
                    }
                }
                Target::Field(_) => {
                    let hits = &self.hits[t];
                    let chosen: &[u32] = match self.opts.occurrence {
                        Occurrence::All => hits,
                        Occurrence::First => &hits[..hits.len().min(1)],
                        Occurrence::Last => &hits[hits.len().saturating_sub(1)..],
                        Occurrence::Nth(k) => hits.get(k.wrapping_sub(1)..k).unwrap_or(&[]),
                    };
                    for (j, &ni) in chosen.iter().enumerate() {
                        if j > 0 {
                            self.cell.push_str(&self.opts.aggregator);
                        }
                        let n = &nodes[ni as usize];
                        match (n.field.ty, v.d.tree.label(n)) {
                            // A protocol prints its tree line, as in tshark.
                            (wirecrab_core::FieldType::Protocol, Some(l)) => self.cell.push_str(l),
                            (wirecrab_core::FieldType::Protocol, None) => self.cell.push_str(n.field.name),
                            _ => write_value(&mut self.cell, n, v.data, &mut self.tz),
                        }
                    }
                }
            }
            if !self.cell.is_empty() {
                self.quote(out);
                out.push_str(&self.cell);
                self.quote(out);
            }
        }
        out.push('\n');
    }
}
