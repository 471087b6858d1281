//! tshark's default one-line summary: No., Time, Source → Destination,
//! Protocol, Length, Info, padded as tshark pads them.

use wirecrab_dissect::names::write_u64;

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

/// Append the Time column of `v` in format `fmt`.
pub fn write_time(out: &mut String, fmt: TimeFormat, v: &FrameView<'_>, tz: &mut TimeCache) {
    let ts = v.meta.ts;
    let digits = if v.meta.ts_digits == 0 { 6 } else { v.meta.ts_digits };
    match fmt {
        TimeFormat::Relative => write_rel(out, ts.since(v.first_ts), digits),
        TimeFormat::Delta => write_rel(out, ts.since(v.prev_ts), digits),
        TimeFormat::DeltaDisplayed => write_rel(out, ts.since(v.prev_displayed_ts), digits),
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
        let s = &mut self.scratch;
        s.clear();
        write_u64(s, v.meta.number);
        pad_left(out, s, 5);
        out.push(' ');
        s.clear();
        write_time(s, self.time, v, &mut self.tz);
        pad_left(out, s, 10);
        out.push(' ');
        let cols = v.d.cols;
        s.clear();
        cols.src().write(s);
        pad_left(out, s, 12);
        out.push_str(" → ");
        s.clear();
        cols.dst().write(s);
        pad_right(out, s, 12);
        out.push(' ');
        out.push_str(&cols.protocol);
        out.push(' ');
        write_u64(out, v.meta.orig_len as u64);
        out.push(' ');
        cols.write_info(out);
        out.push('\n');
    }
}
