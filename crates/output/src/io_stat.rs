//! `-z io,stat,INTERVAL[,COLUMN...]`: frames and bytes (or a field's count,
//! sum, minimum, maximum, average) per time interval, in tshark 4.0's table
//! layout (docs/research/z-reports.md §5, including its computed paddings).
//!
//! A column is a display filter (frames and bytes of the matching frames),
//! `FRAMES`/`BYTES`, or `COUNT|SUM|MIN|MAX|AVG(field)` followed by an
//! optional filter. The caller compiles the filters and tells the report
//! which columns a frame matched.

use std::fmt::Write;

use wirecrab_core::{FieldDef, FieldType, Timestamp, Value};

use crate::FrameView;

/// What a column computes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Calc {
    /// Frames and bytes (a plain filter, or none).
    FramesBytes,
    /// Frames only.
    Frames,
    /// Bytes only.
    Bytes,
    /// Occurrences of a field.
    Count,
    /// Sum of a field's values.
    Sum,
    /// Smallest value.
    Min,
    /// Largest value.
    Max,
    /// Sum divided by occurrences.
    Avg,
}

impl Calc {
    fn name(self) -> &'static str {
        match self {
            Calc::FramesBytes => "",
            Calc::Frames => "FRAMES",
            Calc::Bytes => "BYTES",
            Calc::Count => "COUNT",
            Calc::Sum => "SUM",
            Calc::Min => "MIN",
            Calc::Max => "MAX",
            Calc::Avg => "AVG",
        }
    }
}

/// One column as written: its label, calculation, field and filter text.
#[derive(Debug, Clone)]
pub struct ColumnSpec {
    /// The text as given (trimmed), printed in the column list.
    pub label: String,
    /// The calculation.
    pub calc: Calc,
    /// The field of COUNT/SUM/MIN/MAX/AVG.
    pub field: Option<String>,
    /// The display filter, if any.
    pub filter: Option<String>,
}

/// A parsed `io,stat` argument.
#[derive(Debug, Clone)]
pub struct IoStatSpec {
    /// Interval in µs (0: the whole capture).
    pub interval_us: u64,
    /// Digits after the point, as tshark derives them from the argument.
    prec: u32,
    /// The columns.
    pub columns: Vec<ColumnSpec>,
}

impl IoStatSpec {
    /// Parse what follows `io,stat,`.
    pub fn parse(arg: &str) -> Result<IoStatSpec, String> {
        let usage = "invalid \"-z io,stat,<interval>[,<filter>][,<filter>]...\" argument";
        if arg.ends_with(',') || arg.is_empty() {
            return Err(usage.into());
        }
        let (interval_text, rest) = match arg.split_once(',') {
            Some((i, r)) => (i, Some(r)),
            None => (arg, None),
        };
        let interval: f64 = interval_text.trim().parse().map_err(|_| usage.to_string())?;
        if !interval.is_finite() || interval < 0.0 {
            return Err(usage.into());
        }
        let interval_us = (interval * 1e6 + 0.5) as u64;
        if interval != 0.0 && interval_us == 0 {
            return Err("\"-z\" interval must be >=0.000001 seconds or \"0\" for the entire capture duration.".into());
        }
        let mut prec = 6;
        let mut v = interval_us;
        while prec > 0 && v % 10 == 0 && v > 0 {
            v /= 10;
            prec -= 1;
        }
        if interval_us == 0 {
            prec = 0;
        }
        if prec == 0 {
            // `2.000` asks for three digits even though they are zeros.
            if let Some((_, frac)) = interval_text.split_once('.') {
                if frac.starts_with(|c: char| c.is_ascii_digit()) {
                    prec = frac.len().min(6) as u32;
                }
            }
        }
        let columns = match rest {
            None => vec![ColumnSpec { label: String::new(), calc: Calc::FramesBytes, field: None, filter: None }],
            Some(r) => r.split(',').map(parse_column).collect::<Result<_, _>>()?,
        };
        Ok(IoStatSpec { interval_us, prec, columns })
    }
}

fn parse_column(text: &str) -> Result<ColumnSpec, String> {
    let label = text.trim().to_string();
    for calc in [Calc::Frames, Calc::Bytes, Calc::Count, Calc::Sum, Calc::Min, Calc::Max, Calc::Avg] {
        let Some(rest) = label.strip_prefix(calc.name()) else { continue };
        let (field, filter) = match rest.strip_prefix('(') {
            Some(r) => {
                let (inside, after) = r.split_once(')').ok_or_else(|| format!("Closing parenthesis missing from calculated expression: {label}"))?;
                (Some(inside.trim().to_string()).filter(|f| !f.is_empty()), after.trim())
            }
            None => (None, rest.trim()),
        };
        let needs_field = !matches!(calc, Calc::Frames | Calc::Bytes);
        if needs_field && field.is_none() {
            return Err(format!("You didn't specify a field name for {}(*).", calc.name()));
        }
        let filter = Some(filter.to_string()).filter(|f| !f.is_empty());
        return Ok(ColumnSpec { label, calc, field: if needs_field { field } else { None }, filter });
    }
    let filter = Some(label.clone()).filter(|f| !f.is_empty());
    Ok(ColumnSpec { label, calc: Calc::FramesBytes, field: None, filter })
}

/// One column's running values in one interval.
#[derive(Clone, Copy, Default)]
struct Cell {
    frames: u64,
    /// Bytes, occurrences, or the sum.
    value: i128,
    count: u64,
    min: Option<i128>,
    max: Option<i128>,
}

/// A column with its resolved field.
struct Column {
    spec: ColumnSpec,
    field: Option<&'static FieldDef>,
    time: bool,
}

/// `-z io,stat`: collects per-interval counters; prints the table at the end.
pub struct IoStat {
    spec: IoStatSpec,
    columns: Vec<Column>,
    /// Cells of the intervals that saw frames, by interval index (sparse:
    /// a capture spanning years leaves most intervals empty).
    rows: std::collections::BTreeMap<u64, Vec<Cell>>,
    /// Relative time (µs) of the latest frame, and the largest seen.
    last_us: u64,
    max_us: u64,
    /// The first frame's exact time.
    first: Option<Timestamp>,
    /// Per column: the largest running value and frame count of any row.
    widest: Vec<i128>,
    most_frames: Vec<u64>,
}

/// Most rows a table prints: beyond, the interval is too short for the
/// capture (tshark 4.0 runs out of memory there) and the report says so.
const MAX_ROWS: u64 = 1_000_000;

impl IoStat {
    /// A report for `spec`; `field` resolves the names of calculated columns.
    pub fn new(spec: IoStatSpec, field: impl Fn(&str) -> Option<&'static FieldDef>) -> Result<IoStat, String> {
        let mut columns = Vec::new();
        for c in &spec.columns {
            let f = match &c.field {
                Some(name) => Some(field(name).ok_or_else(|| format!("There is no field named '{name}'."))?),
                None => None,
            };
            let time = f.is_some_and(|f| f.ty == FieldType::RelTime);
            if let Some(f) = f {
                let numeric = matches!(
                    f.ty,
                    FieldType::U8 | FieldType::U16 | FieldType::U24 | FieldType::U32 | FieldType::U64 | FieldType::I32 | FieldType::I64 | FieldType::FrameNum | FieldType::RelTime | FieldType::Bool
                );
                if c.calc != Calc::Count && !numeric {
                    return Err(format!("{}({}) needs a numeric field; {} can only be counted (COUNT).", c.calc.name(), f.abbrev, f.abbrev));
                }
            }
            columns.push(Column { spec: c.clone(), field: f, time });
        }
        let n = columns.len();
        Ok(IoStat { spec, columns, rows: Default::default(), last_us: 0, max_us: 0, first: None, widest: vec![0; n], most_frames: vec![0; n] })
    }

    /// The fields the calculated columns read.
    pub fn wanted_fields(&self) -> Vec<&'static FieldDef> {
        self.columns.iter().filter_map(|c| c.field).collect()
    }

    /// The filter text of each column (None: every frame).
    pub fn filters(&self) -> Vec<Option<String>> {
        self.columns.iter().map(|c| c.spec.filter.clone()).collect()
    }

    /// Count one frame; `matched[i]` says whether column i's filter kept it.
    pub fn frame(&mut self, v: &FrameView<'_>, matched: &[bool]) {
        let first = *self.first.get_or_insert(v.meta.ts);
        let rel = v.meta.ts.since(first);
        // tshark rounds to µs; a frame older than the first reuses the previous time.
        let us = if rel < 0 { self.last_us } else { ((rel + 500) / 1000) as u64 };
        self.last_us = us;
        self.max_us = self.max_us.max(us);
        let Some(interval) = (self.spec.interval_us > 0).then_some(self.spec.interval_us) else {
            // Whole-capture mode: one row.
            self.count(0, v, matched);
            return;
        };
        self.count(us / interval, v, matched);
    }

    fn count(&mut self, row: u64, v: &FrameView<'_>, matched: &[bool]) {
        let n = self.columns.len();
        let cells = self.rows.entry(row).or_insert_with(|| vec![Cell::default(); n]);
        for (i, c) in self.columns.iter().enumerate() {
            if !matched.get(i).copied().unwrap_or(true) {
                continue;
            }
            let cell = &mut cells[i];
            cell.frames += 1;
            match c.spec.calc {
                Calc::FramesBytes | Calc::Bytes | Calc::Frames => cell.value += v.meta.orig_len as i128,
                calc => {
                    let Some(f) = c.field else { continue };
                    for (k, n) in v.d.tree.nodes().iter().filter(|n| std::ptr::eq(n.field, f)).enumerate() {
                        cell.count += 1;
                        let x = match n.value {
                            Value::U(x) => x as i128,
                            Value::I(x) => x as i128,
                            Value::Bool(b) => b as i128,
                            Value::RelTime(ns) => ns as i128,
                            _ => 0,
                        };
                        cell.value += x;
                        // Wireshark takes the first value of a row's first frame,
                        // then compares: a row whose first frame lacks the
                        // field keeps a minimum of 0.
                        let first = cell.frames == 1 && k == 0;
                        if calc == Calc::Min && (first || x < cell.min.unwrap_or(0)) {
                            cell.min = Some(x);
                        }
                        if first || x > cell.max.unwrap_or(0) {
                            cell.max = Some(x);
                        }
                    }
                }
            }
            // Column widths follow the largest running value (tshark updates
            // them frame by frame, so a row's early average counts too).
            let running = match c.spec.calc {
                Calc::Avg if cell.count > 0 => cell.value / cell.count as i128,
                Calc::Avg => continue,
                Calc::Min => cell.min.unwrap_or(0),
                Calc::Max => cell.max.unwrap_or(0),
                Calc::Frames => cell.frames as i128,
                Calc::Count => cell.count as i128,
                _ => cell.value,
            };
            self.widest[i] = self.widest[i].max(running);
            self.most_frames[i] = self.most_frames[i].max(cell.frames);
        }
    }

    /// The number a cell shows.
    fn shown(&self, col: usize, cell: &Cell) -> i128 {
        match self.columns[col].spec.calc {
            Calc::FramesBytes | Calc::Bytes => cell.value,
            Calc::Frames => cell.frames as i128,
            Calc::Count => cell.count as i128,
            Calc::Sum => cell.value,
            Calc::Min => cell.min.unwrap_or(0),
            Calc::Max => cell.max.unwrap_or(0),
            Calc::Avg => {
                if cell.count == 0 {
                    0
                } else {
                    cell.value / cell.count as i128
                }
            }
        }
    }

    /// Print the table.
    pub fn write(&self, out: &mut String) {
        let mut prec = self.spec.prec as u64;
        let mut dur = self.max_us;
        let mut interval = self.spec.interval_us;
        let whole = interval == 0 || interval > dur;
        let mut dur_mag = magnitude(dur / 1_000_000, 5);
        if whole {
            prec = if dur_mag >= 2 { 1 } else { 3 };
        }
        let dv = 10u64.pow(6 - prec as u32);
        if dur % dv > dv / 2 {
            dur = dur.div_ceil(dv) * dv;
            dur_mag = magnitude(dur / 1_000_000, 5);
        }
        if whole {
            interval = dur;
        }
        let nrows = if interval == 0 || dur == 0 { 0 } else { dur.div_ceil(interval) };
        if nrows > MAX_ROWS {
            eprintln!(
                "wirecrab: -z io,stat: {nrows} intervals of {} µs over {} s is more than {MAX_ROWS} rows; use a longer interval (e.g. io,stat,{})",
                interval,
                dur / 1_000_000,
                dur.div_ceil(MAX_ROWS).div_ceil(1_000_000).max(1)
            );
            return;
        }
        let nrows = nrows as usize;
        // Rows past the duration (rounding) fold into the last one.
        let mut rows: Vec<Vec<Cell>> = vec![vec![Cell::default(); self.columns.len()]; nrows];
        for (&i, r) in self.rows.iter() {
            if nrows == 0 {
                break;
            }
            let target = if whole { 0 } else { (i as usize).min(nrows - 1) };
            for (c, cell) in r.iter().enumerate() {
                let t = &mut rows[target][c];
                t.frames += cell.frames;
                t.value += cell.value;
                t.count += cell.count;
                t.min = match (t.min, cell.min) {
                    (Some(a), Some(b)) => Some(a.min(b)),
                    (a, b) => a.or(b),
                };
                t.max = match (t.max, cell.max) {
                    (Some(a), Some(b)) => Some(a.max(b)),
                    (a, b) => a.or(b),
                };
            }
        }
        // Column widths.
        let mut widths = Vec::new();
        let mut tabrow_w = if prec == 0 { 2 * dur_mag + 8 } else { 2 * dur_mag + 2 * prec as usize + 10 }.max(12);
        let invl_col_w = tabrow_w;
        for (c, col) in self.columns.iter().enumerate() {
            let max_frames = self.most_frames[c];
            let max_val = self.widest[c].max(0) as u64;
            let fr = magnitude(max_frames, 15).max(6);
            let (val, contrib) = match col.spec.calc {
                Calc::FramesBytes => {
                    let val = magnitude(max_val, 15).max(5);
                    (val, fr + 3 + val + 3)
                }
                Calc::Frames => (0, fr + 3),
                Calc::Bytes | Calc::Count => {
                    let val = magnitude(max_val, 15).max(5);
                    (val, val + 3)
                }
                _ if col.time => {
                    let val = magnitude((max_val + 500_000_000) / 1_000_000_000, 15) + 7;
                    (val, val + 3)
                }
                calc => {
                    let val = magnitude(max_val, 15).max(calc.name().len());
                    (val, val + 3)
                }
            };
            widths.push((fr, val));
            tabrow_w += contrib;
        }
        let invl_mag = magnitude(interval / 1_000_000, 5);
        let extra = if prec > 0 { prec as usize + 1 } else { 0 };
        let mut borderlen = if whole { 30 + dur_mag + extra } else { 25 + invl_mag.max(dur_mag) + extra };
        borderlen = borderlen.max(tabrow_w);
        let label_w = self.columns.iter().map(|c| if c.spec.label.is_empty() { 26 } else { c.spec.label.len() + 11 }).max().unwrap_or(0);
        if label_w > borderlen && borderlen < 102 {
            borderlen = label_w.min(102);
        }
        if borderlen.saturating_sub(tabrow_w) == 1 {
            borderlen += 1;
        }
        let filler = if tabrow_w < borderlen { format!("{}|", " ".repeat(borderlen - tabrow_w - 1)) } else { String::new() };
        let boxed = |out: &mut String, text: &str| {
            let _ = writeln!(out, "{text:<w$}|", w = borderlen - 1);
        };
        let _ = writeln!(out, "\n{}", "=".repeat(borderlen));
        boxed(out, "| IO Statistics");
        boxed(out, "|");
        // tshark pads these two lines by a computed width, not the text's.
        let pad = |used: usize| " ".repeat(borderlen.saturating_sub(used));
        if prec == 0 {
            let (secs, us) = (secs32(self.max_us), self.max_us % 1_000_000);
            let _ = writeln!(out, "| Duration: {secs:>dur_mag$}.{us:>6} secs{}|", pad(25 + dur_mag));
            let _ = writeln!(out, "| Interval: {:>dur_mag$} secs{}|", secs32(interval), pad(18 + dur_mag));
        } else {
            let p = prec as usize;
            let frac = |us: u64| (us % 1_000_000) / 10u64.pow(6 - prec as u32);
            let _ = writeln!(out, "| Duration: {:>dur_mag$}.{:0p$} secs{}|", secs32(dur), frac(dur), pad(19 + dur_mag + p));
            let _ = writeln!(out, "| Interval: {:>dur_mag$}.{:0p$} secs{}|", secs32(interval), frac(interval), pad(19 + dur_mag + p));
        }
        boxed(out, "|");
        for (i, c) in self.columns.iter().enumerate() {
            let head = if i == 0 { "| Col 1: ".to_string() } else { format!("|    {:>2}: ", i + 1) };
            let label = if c.spec.label.is_empty() { "Frames and bytes" } else { &c.spec.label };
            let max_w = borderlen.saturating_sub(11).max(1);
            let mut rest = label;
            let mut first = true;
            loop {
                let lead = if first { head.clone() } else { "|        ".to_string() };
                first = false;
                if rest.len() <= max_w {
                    boxed(out, &format!("{lead}{rest}"));
                    break;
                }
                let mut cut = max_w;
                while !rest.is_char_boundary(cut) {
                    cut -= 1;
                }
                let (piece, next) = match rest[..cut].rfind(' ') {
                    Some(sp) => (&rest[..sp], &rest[sp + 1..]),
                    None => (&rest[..cut], &rest[cut..]),
                };
                boxed(out, &format!("{lead}{piece}"));
                rest = next;
            }
        }
        let _ = writeln!(out, "|-{}|", "-".repeat(borderlen - 3));
        let mut line = format!("|{}|", " ".repeat(invl_col_w - 2));
        for (i, c) in self.columns.iter().enumerate() {
            let (fr, val) = widths[i];
            let pad = match c.spec.calc {
                Calc::FramesBytes => fr + val + 3,
                Calc::Frames => fr,
                _ => val,
            };
            let _ = write!(line, "{:<2}{}|", i + 1, " ".repeat(pad));
        }
        let _ = writeln!(out, "{line}{filler}");
        let mut line = format!("{:<w$}|", "| Interval", w = invl_col_w - 1);
        for (i, c) in self.columns.iter().enumerate() {
            let (fr, val) = widths[i];
            match c.spec.calc {
                Calc::FramesBytes => {
                    centred(&mut line, "Frames", fr);
                    centred(&mut line, "Bytes", val);
                }
                Calc::Frames => centred(&mut line, "FRAMES", fr),
                calc => centred(&mut line, calc.name(), val),
            }
        }
        let _ = writeln!(out, "{line}{filler}");
        let _ = writeln!(out, "|-{}|{filler}", "-".repeat(tabrow_w - 3));
        for (k, r) in rows.iter().enumerate() {
            let start = k as u64 * interval;
            let last = k + 1 == nrows;
            let end = if last { dur } else { start + interval };
            let mut line = String::new();
            if prec == 0 {
                let (s, e) = (secs32(start), secs32(end));
                match (last, dur_mag) {
                    (false, 1) => {
                        let _ = write!(line, "|  {s} <> {e}  |");
                    }
                    (false, m) => {
                        let _ = write!(line, "| {s:>m$} <> {e:>m$} |");
                    }
                    (true, m) => {
                        let lead = if m == 1 { "  " } else { " " };
                        let w = if m >= 3 { (m + 1).max(3) } else { 3 };
                        let _ = write!(line, "|{lead}{s:>m$} <> {:<w$}|", "Dur");
                    }
                }
            } else {
                let p = prec as usize;
                let m = dur_mag;
                let frac = |us: u64| (us % 1_000_000) / 10u64.pow(6 - prec as u32);
                let _ = write!(line, "| {:>m$}.{:0p$} <> {:>m$}.{:0p$} |", secs32(start), frac(start), secs32(end), frac(end));
            }
            for (c, col) in self.columns.iter().enumerate() {
                let (fr, val) = widths[c];
                let cell = &r[c];
                match col.spec.calc {
                    Calc::FramesBytes => {
                        let _ = write!(line, " {:>fr$} | {:>val$} |", cell.frames, cell.value);
                    }
                    Calc::Frames => {
                        let _ = write!(line, " {:>fr$} |", cell.frames);
                    }
                    _ if col.time => {
                        let ns = self.shown(c, cell);
                        // A negative time (frames out of order) keeps its sign;
                        // tshark 4.0 wraps it to a huge unsigned number.
                        let us = (ns.abs() + 500) / 1000;
                        let secs = format!("{}{}", if ns < 0 { "-" } else { "" }, us / 1_000_000);
                        let _ = write!(line, " {secs:>w$}.{:06} |", us % 1_000_000, w = val - 7);
                    }
                    _ => {
                        let _ = write!(line, " {:>val$} |", self.shown(c, cell));
                    }
                }
            }
            let _ = writeln!(out, "{line}{filler}");
        }
        let _ = writeln!(out, "{}", "=".repeat(borderlen));
    }
}

/// Whole seconds of a µs value as tshark 4.0 prints them: through a 32-bit
/// integer (a capture spanning more than 136 years wraps, as there).
fn secs32(us: u64) -> u32 {
    (us / 1_000_000) as u32
}

/// Decimal digits of `v` (at least 1), capped at `cap`.
fn magnitude(v: u64, cap: usize) -> usize {
    let mut n = 1;
    let mut v = v / 10;
    while v > 0 {
        n += 1;
        v /= 10;
    }
    n.min(cap)
}

/// A column label centred tshark's way (its quirks included).
fn centred(out: &mut String, label: &str, width: usize) {
    let d = width as i64 - label.len() as i64;
    let n = d / 2 + 1;
    if (1..=5).contains(&n) {
        let n = n as usize;
        let left = if d % 2 == 0 { n } else { n + 1 };
        let _ = write!(out, "{}{label}{}|", " ".repeat(left), " ".repeat(n));
    } else if (-9..=0).contains(&n) {
        let _ = write!(out, "{label}|");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn precision_follows_the_argument() {
        assert_eq!(IoStatSpec::parse("1").unwrap().prec, 0);
        assert_eq!(IoStatSpec::parse("0.5").unwrap().prec, 1);
        assert_eq!(IoStatSpec::parse("0.001").unwrap().prec, 3);
        assert_eq!(IoStatSpec::parse("2.000,tcp").unwrap().prec, 3);
        assert_eq!(IoStatSpec::parse("1.0").unwrap().prec, 1, "tshark 4.0 crashes here; we read to the end");
        assert!(IoStatSpec::parse("1,").is_err());
        assert!(IoStatSpec::parse("0.0000001").is_err());
        assert!(IoStatSpec::parse("x").is_err());
    }

    #[test]
    fn columns() {
        let s = IoStatSpec::parse("10,tcp,,COUNT(tcp.len)tcp.len>0,FRAMES,SUM(frame.len)").unwrap();
        let kinds: Vec<_> = s.columns.iter().map(|c| (c.calc, c.field.clone(), c.filter.clone())).collect();
        assert_eq!(
            kinds,
            [
                (Calc::FramesBytes, None, Some("tcp".into())),
                (Calc::FramesBytes, None, None),
                (Calc::Count, Some("tcp.len".into()), Some("tcp.len>0".into())),
                (Calc::Frames, None, None),
                (Calc::Sum, Some("frame.len".into()), None),
            ]
        );
        assert!(IoStatSpec::parse("1,SUM(tcp.len").is_err());
        assert!(IoStatSpec::parse("1,MAX()").is_err());
    }

    #[test]
    fn labels_centre_as_tshark_does() {
        let mut s = String::new();
        centred(&mut s, "Frames", 6);
        centred(&mut s, "Bytes", 7);
        centred(&mut s, "MAX", 4);
        centred(&mut s, "AVG", 8);
        assert_eq!(s, " Frames |  Bytes  |  MAX |    AVG   |");
    }
}
