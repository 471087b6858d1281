//! tshark's default one-line summary: No., Time, Source → Destination,
//! Protocol, Length, Info, padded as tshark pads them.

use std::ops::Range;

use wirecrab_core::Timestamp;
use wirecrab_dissect::names::write_u64;
use wirecrab_dissect::protocols::tcp::InfoSummary;
use wirecrab_dissect::Address;

use crate::time::{utc, write_epoch, write_frac, write_hms, write_rel, write_yday, write_ymd, TimeCache};
use crate::FrameView;

/// The `-t` time formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TimeFormat {
    /// `a`: local time of day.
    Absolute,
    /// `ad`: local date and time.
    AbsoluteDate,
    /// `adoa`: local year/day-of-year and time.
    AbsoluteDoy,
    /// `d`: since the previous captured frame.
    Delta,
    /// `dd`: since the previous displayed frame.
    DeltaDisplayed,
    /// `e`: seconds since the epoch.
    Epoch,
    /// `r`: since the first frame (tshark's default).
    #[default]
    Relative,
    /// `u`: UTC time of day.
    Utc,
    /// `ud`: UTC date and time.
    UtcDate,
    /// `udoa`: UTC year/day-of-year and time.
    UtcDoy,
}

impl TimeFormat {
    /// Parse a `-t` argument.
    pub fn parse(s: &str) -> Option<TimeFormat> {
        Some(match s {
            "a" => TimeFormat::Absolute,
            "ad" => TimeFormat::AbsoluteDate,
            "adoa" => TimeFormat::AbsoluteDoy,
            "d" => TimeFormat::Delta,
            "dd" => TimeFormat::DeltaDisplayed,
            "e" => TimeFormat::Epoch,
            "r" => TimeFormat::Relative,
            "u" => TimeFormat::Utc,
            "ud" => TimeFormat::UtcDate,
            "udoa" => TimeFormat::UtcDoy,
            _ => return None,
        })
    }
}

/// A frame's time and the times its Time column may be measured from.
#[derive(Debug, Clone, Copy)]
pub struct Stamp {
    /// The frame's time.
    pub ts: Timestamp,
    /// Digits of the fraction (the file's resolution).
    pub digits: u8,
    /// The first frame's time.
    pub first: Timestamp,
    /// The previous captured frame's time.
    pub prev: Timestamp,
    /// The previous displayed frame's time.
    pub prev_displayed: Timestamp,
}

impl Stamp {
    /// The stamp of the frame `v` shows.
    pub fn of(v: &FrameView<'_>) -> Stamp {
        let digits = if v.meta.ts_digits == 0 { 6 } else { v.meta.ts_digits };
        Stamp { ts: v.meta.ts, digits, first: v.first_ts, prev: v.prev_ts, prev_displayed: v.prev_displayed_ts }
    }
}

/// Append the Time column of `v` in format `fmt`.
pub fn write_time(out: &mut String, fmt: TimeFormat, v: &FrameView<'_>, tz: &mut TimeCache) {
    write_stamp(out, fmt, &Stamp::of(v), tz);
}

/// Append the Time column of a frame stamped `s` in format `fmt`.
pub fn write_stamp(out: &mut String, fmt: TimeFormat, s: &Stamp, tz: &mut TimeCache) {
    let (ts, digits) = (s.ts, s.digits);
    match fmt {
        TimeFormat::Relative => write_rel(out, ts.since(s.first), digits),
        TimeFormat::Delta => write_rel(out, ts.since(s.prev), digits),
        TimeFormat::DeltaDisplayed => write_rel(out, ts.since(s.prev_displayed), digits),
        TimeFormat::Epoch => write_epoch(out, ts, digits),
        TimeFormat::Absolute | TimeFormat::AbsoluteDate | TimeFormat::AbsoluteDoy => {
            let (tm, _) = tz.local(ts.secs);
            match fmt {
                TimeFormat::AbsoluteDate => {
                    write_ymd(out, &tm);
                    out.push(' ');
                }
                TimeFormat::AbsoluteDoy => {
                    write_yday(out, &tm);
                    out.push(' ');
                }
                _ => {}
            }
            write_hms(out, &tm);
            write_frac(out, ts.nanos, digits);
        }
        TimeFormat::Utc | TimeFormat::UtcDate | TimeFormat::UtcDoy => {
            let tm = utc(ts.secs);
            match fmt {
                TimeFormat::UtcDate => {
                    write_ymd(out, &tm);
                    out.push(' ');
                }
                TimeFormat::UtcDoy => {
                    write_yday(out, &tm);
                    out.push(' ');
                }
                _ => {}
            }
            write_hms(out, &tm);
            write_frac(out, ts.nanos, digits);
        }
    }
}

/// Writes the one-line summary of each frame.
#[derive(Default)]
pub struct SummarySink {
    /// Time column format.
    pub time: TimeFormat,
    tz: TimeCache,
    scratch: String,
}

fn pad_left(out: &mut String, s: &str, width: usize) {
    for _ in s.chars().count()..width {
        out.push(' ');
    }
    out.push_str(s);
}

fn pad_right(out: &mut String, s: &str, width: usize) {
    out.push_str(s);
    for _ in s.chars().count()..width {
        out.push(' ');
    }
}

impl SummarySink {
    /// A sink with the given time format.
    pub fn new(time: TimeFormat) -> Self {
        SummarySink { time, ..Default::default() }
    }

    /// Append one line (with its newline).
    pub fn frame(&mut self, out: &mut String, v: &FrameView<'_>) {
        let cols = v.d.cols;
        let (tcp, tail) = cols.info_parts();
        let row = Row::of(v);
        self.row(out, &row, &cols.protocol, tcp, tail);
    }

    /// Append the lines of a batch taken while dissecting.
    pub fn batch(&mut self, out: &mut String, b: &SummaryBatch) {
        for l in &b.lines {
            self.row(out, &l.row, &b.text[l.protocol.clone()], l.tcp.as_ref(), &b.text[l.info.clone()]);
        }
    }

    fn row(&mut self, out: &mut String, r: &Row, protocol: &str, tcp: Option<&InfoSummary>, info: &str) {
        let s = &mut self.scratch;
        s.clear();
        write_u64(s, r.number);
        pad_left(out, s, 5);
        out.push(' ');
        s.clear();
        write_stamp(s, self.time, &r.stamp, &mut self.tz);
        pad_left(out, s, 10);
        out.push(' ');
        s.clear();
        r.src.write(s);
        pad_left(out, s, 12);
        out.push_str(" → ");
        s.clear();
        r.dst.write(s);
        pad_right(out, s, 12);
        out.push(' ');
        out.push_str(protocol);
        out.push(' ');
        write_u64(out, r.orig_len as u64);
        out.push(' ');
        if let Some(t) = tcp {
            t.write(out);
        }
        out.push_str(info);
        out.push('\n');
    }
}

/// What a summary line shows of a frame besides its texts.
#[derive(Debug, Clone, Copy)]
struct Row {
    number: u64,
    stamp: Stamp,
    src: Address,
    dst: Address,
    orig_len: u32,
}

impl Row {
    fn of(v: &FrameView<'_>) -> Row {
        let cols = v.d.cols;
        Row { number: v.meta.number, stamp: Stamp::of(v), src: cols.src(), dst: cols.dst(), orig_len: v.meta.orig_len }
    }
}

/// One line of a [`SummaryBatch`]: its texts are ranges of the batch's text.
struct Line {
    row: Row,
    protocol: Range<usize>,
    tcp: Option<InfoSummary>,
    info: Range<usize>,
}

/// Summary lines taken from frames as they are dissected, owned, so that
/// another thread can write them while the next frames are dissected.
#[derive(Default)]
pub struct SummaryBatch {
    lines: Vec<Line>,
    text: String,
}

impl SummaryBatch {
    /// Take the line of the frame `v` shows.
    pub fn push(&mut self, v: &FrameView<'_>) {
        let cols = v.d.cols;
        let (tcp, tail) = cols.info_parts();
        let row = Row::of(v);
        let at = self.text.len();
        self.text.push_str(&cols.protocol);
        let mid = self.text.len();
        self.text.push_str(tail);
        self.lines.push(Line { row, protocol: at..mid, tcp: tcp.copied(), info: mid..self.text.len() });
    }

    /// Lines held.
    pub fn len(&self) -> usize {
        self.lines.len()
    }

    /// True when no line is held.
    pub fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }

    /// Forget the lines, keeping the allocations.
    pub fn clear(&mut self) {
        self.lines.clear();
        self.text.clear();
    }
}
