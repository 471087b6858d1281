//! `wirecrab http FILE`: the transaction view (one row per request).

use anyhow::{bail, Result};
use wirecrab_core::{Timestamp, Want};
use wirecrab_dissect::{Dissector, Options};
use wirecrab_output::{
    stdout_width, write_csv, write_csv_header, write_footer, write_table, write_transaction_json, Clock, FrameView, RowFilter,
    StatusSpec, TimeCache, Transactions,
};

use crate::args::HttpArgs;
use crate::run::{compile_filter, configure, for_each_frame, limits, open, report_limits, Output, BATCH_BYTES};

/// `500ms`, `1.5s`, `250us`, `2m`; a bare number is milliseconds. In ns.
fn parse_duration(s: &str) -> Option<i128> {
    let s = s.trim();
    let split = s.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(s.len());
    let (num, unit) = s.split_at(split);
    let v: f64 = num.parse().ok()?;
    let scale = match unit.trim() {
        "" | "ms" => 1e6,
        "s" => 1e9,
        "us" | "µs" => 1e3,
        "ns" => 1.0,
        "m" | "min" => 60e9,
        _ => return None,
    };
    (v.is_finite() && v >= 0.0).then(|| (v * scale) as i128)
}

fn row_filter(args: &HttpArgs) -> Result<RowFilter> {
    let slow = match &args.slow {
        Some(s) => Some(parse_duration(s).ok_or_else(|| anyhow::anyhow!("--slow {s}: use a duration such as 500ms, 1.5s or 250us"))?),
        None => None,
    };
    let mut status = Vec::new();
    for item in args.status.as_deref().unwrap_or("").split(',').filter(|s| !s.trim().is_empty()) {
        match StatusSpec::parse(item) {
            Some(s) => status.push(s),
            None => bail!("--status {item}: use codes or classes such as 404, 5xx or 4xx,503"),
        }
    }
    Ok(RowFilter { slow, status, no_health_checks: args.no_health_checks })
}

/// Run the view; the exit code is 2 when the file ended in damage.
pub fn run(args: &HttpArgs) -> Result<u8> {
    let rows_filter = row_filter(args)?;
    let filter = args.display_filter.as_deref().map(|f| compile_filter("-Y", f)).transpose()?;
    let mut tx = Transactions::default();
    let mut want = tx.wanted_fields();
    if let Some(f) = &filter {
        want.extend(f.fields());
    }
    let mut dissector = Dissector::new(Options { want: Want::fields(want.iter().map(|f| f.id())), columns: false, protocols: false });
    let caps = limits(&args.caps);
    configure(&mut dissector, args.show_secrets, &args.decode_as, caps)?;
    let reader = open(&args.file)?;
    let mut first: Option<Timestamp> = None;
    let mut prev = Timestamp::default();
    let (error, _) = for_each_frame(reader, BATCH_BYTES, false, |it| {
        let first = *first.get_or_insert(it.meta.ts);
        let d = dissector.dissect(it.meta, it.data);
        let matched = filter.as_ref().is_none_or(|f| f.matches(&wirecrab_filter::Frame { tree: d.tree, data: it.data }));
        let view = FrameView { meta: it.meta, data: it.data, d: &d, first_ts: first, prev_ts: prev, prev_displayed_ts: prev };
        tx.frame(&view, matched);
        prev = it.meta.ts;
        Ok(true)
    })?;
    let all = tx.finish();
    let rows: Vec<_> = all.iter().filter(|t| rows_filter.keeps(t)).collect();
    let clock = if args.utc { Clock::Utc } else { Clock::Local };
    let mut out = Output { buf: String::new(), line_buffered: false };
    if args.json {
        for t in &rows {
            write_transaction_json(&mut out.buf, t);
            out.maybe_flush()?;
        }
    } else if args.csv {
        let mut tc = TimeCache::default();
        write_csv_header(&mut out.buf);
        for t in &rows {
            write_csv(&mut out.buf, t, clock, &mut tc);
            out.maybe_flush()?;
        }
    } else {
        write_table(&mut out.buf, &rows, clock, stdout_width().unwrap_or(0));
        if !args.no_footer {
            write_footer(&mut out.buf, &rows, args.top);
        }
    }
    out.flush()?;
    report_limits(dissector.limit_hits(), caps);
    if let Some(e) = error {
        eprintln!("wirecrab: {}: {e}", args.file);
        return Ok(2);
    }
    Ok(0)
}

#[cfg(test)]
mod tests {
    use super::parse_duration;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("500ms"), Some(500_000_000));
        assert_eq!(parse_duration("1.5s"), Some(1_500_000_000));
        assert_eq!(parse_duration("250us"), Some(250_000));
        assert_eq!(parse_duration("20"), Some(20_000_000));
        assert_eq!(parse_duration("fast"), None);
        assert_eq!(parse_duration("5 parsecs"), None);
    }
}
