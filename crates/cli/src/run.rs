//! Reading a capture and printing it: the tshark-compatible main job.
//!
//! Two threads: the reader (read(2) in large blocks, decompression, record
//! parsing) fills batches of frames; this thread dissects and formats them
//! in order. Memory is bounded by the channel's capacity times the batch size.

use std::io::Write;
use std::thread;

use anyhow::{bail, Context, Result};
use crossbeam_channel::{bounded, Receiver, Sender};
use wirecrab_capture::{FileReader, ReadError};
use wirecrab_core::{FrameMeta, Timestamp, Want};
use wirecrab_dissect::{Dissector, Options, Registry};
use wirecrab_output::{
    json_end, write_ek, write_hex_dump, write_json, write_tree, FieldsOptions, FieldsSink, FrameView, JsonState, Occurrence,
    Quote, SummarySink, TimeCache, TimeFormat,
};

use crate::args::Cli;

/// Bytes of frame data per batch handed from the reader to the dissector.
const BATCH_BYTES: usize = 256 << 10;
/// Batches in flight (bounds memory: about 4 × 256 KiB). Small batches keep
/// the frames in the shared cache between the reader core and this one:
/// 2 MiB batches measured 1.5× slower on the 1 GiB benchmark.
const BATCHES_IN_FLIGHT: usize = 4;
/// Output is written in blocks of this size.
const OUT_BLOCK: usize = 1 << 20;

struct Batch {
    data: Vec<u8>,
    frames: Vec<(FrameMeta, usize, usize)>,
}

enum Msg {
    Batch(Batch),
    End(Option<ReadError>),
}

enum Mode {
    Summary(SummarySink),
    Fields(FieldsSink),
    Tree(Option<Vec<String>>),
    Json(JsonState),
    Ek,
    Quiet,
}

fn parse_fields_options(opts: &[String]) -> Result<FieldsOptions> {
    let mut o = FieldsOptions::default();
    for kv in opts {
        let (k, v) = kv.split_once('=').with_context(|| format!("-E {kv}: expected KEY=VALUE"))?;
        match k {
            "header" => o.header = matches!(v, "y" | "Y"),
            "separator" => {
                o.separator = match v {
                    "/t" => "\t".into(),
                    "/s" => " ".into(),
                    other => other.into(),
                }
            }
            "aggregator" => {
                o.aggregator = match v {
                    "/t" => "\t".into(),
                    "/s" => " ".into(),
                    other => other.into(),
                }
            }
            "quote" => {
                o.quote = match v {
                    "d" => Quote::Double,
                    "s" => Quote::Single,
                    "n" => Quote::None,
                    _ => bail!("-E quote={v}: use d, s or n"),
                }
            }
            "occurrence" => {
                o.occurrence = match v {
                    "a" => Occurrence::All,
                    "f" => Occurrence::First,
                    "l" => Occurrence::Last,
                    n => Occurrence::Nth(n.parse().with_context(|| format!("-E occurrence={v}: use f, l, a or a number"))?),
                }
            }
            "bom" | "escape" => {}
            _ => bail!("-E {k}: unknown option (header, separator, quote, occurrence, aggregator)"),
        }
    }
    Ok(o)
}

/// The field registry as the filter compiler sees it.
struct RegistrySchema(&'static Registry);

impl wirecrab_filter::Schema for RegistrySchema {
    fn field(&self, name: &str) -> Option<&'static wirecrab_core::FieldDef> {
        self.0.field(name)
    }
    fn suggest(&self, name: &str) -> Option<&'static str> {
        self.0.suggest(name)
    }
}

/// Compile `-Y`, or say where and why it is wrong (with a caret line).
fn compile_filter(src: &str) -> Result<wirecrab_filter::Filter> {
    wirecrab_filter::Filter::new(src, &RegistrySchema(Registry::get()))
        .map_err(|e| anyhow::anyhow!("-Y: invalid display filter\n{}", e.render(src)))
}

/// The dissection options and output mode the flags ask for.
fn plan(cli: &Cli) -> Result<(Options, Mode)> {
    let time = match &cli.time {
        Some(t) => TimeFormat::parse(t).with_context(|| format!("-t {t}: use one of a, ad, adoa, d, dd, e, r, u, ud, udoa"))?,
        None => TimeFormat::Relative,
    };
    let reg = Registry::get();
    let mut opts = Options { want: Want::Nothing, columns: false, protocols: false };
    let format = cli.format.as_deref().unwrap_or("text");
    let mode = match format {
        "fields" => {
            if cli.fields.is_empty() {
                bail!("-T fields needs at least one -e FIELD (e.g. -e ip.src); `wirecrab fields` lists them");
            }
            let mut sink = FieldsSink::new(&cli.fields, parse_fields_options(&cli.field_opts)?).map_err(anyhow::Error::msg)?;
            sink.time = time;
            opts.want = Want::fields(sink.wanted_fields().iter().map(|f| f.id()));
            opts.columns = sink.wants_columns();
            Mode::Fields(sink)
        }
        "json" => {
            opts.want = Want::All;
            opts.columns = true;
            Mode::Json(JsonState::default())
        }
        "ek" => {
            opts.want = Want::All;
            opts.columns = true;
            Mode::Ek
        }
        "text" | "tabs" => {
            if cli.verbose || cli.only.is_some() {
                opts.want = Want::All;
                opts.columns = true;
                Mode::Tree(cli.only.as_ref().map(|s| s.split(',').map(|p| p.trim().to_string()).collect()))
            } else {
                opts.columns = true;
                Mode::Summary(SummarySink::new(time))
            }
        }
        other => bail!("-T {other}: unknown format (use fields, json, ek or text)"),
    };
    if !cli.fields.is_empty() && format != "fields" {
        bail!("-e needs -T fields");
    }
    let mode = if cli.quiet && !matches!(mode, Mode::Fields(_) | Mode::Json(_) | Mode::Ek) { Mode::Quiet } else { mode };
    if let Some(o) = &cli.only {
        for p in o.split(',') {
            if reg.protocol(p.trim()).is_none() {
                bail!("-O {p}: unknown protocol (`wirecrab protocols` lists them)");
            }
        }
    }
    Ok((opts, mode))
}

fn reader_thread(mut r: FileReader, tx: Sender<Msg>, recycle: Receiver<Batch>, batch_bytes: usize) {
    loop {
        let mut b = recycle.try_recv().unwrap_or_else(|_| Batch { data: Vec::with_capacity(batch_bytes + 65536), frames: Vec::new() });
        b.data.clear();
        b.frames.clear();
        let end = loop {
            match r.next_frame() {
                Ok(Some(f)) => {
                    let start = b.data.len();
                    b.data.extend_from_slice(f.data);
                    b.frames.push((f.meta.clone(), start, f.data.len()));
                    if b.data.len() >= batch_bytes || b.frames.len() >= 65536 {
                        break None;
                    }
                }
                Ok(None) => break Some(None),
                Err(e) => break Some(Some(e)),
            }
        };
        if !b.frames.is_empty() && tx.send(Msg::Batch(b)).is_err() {
            return;
        }
        if let Some(e) = end {
            let _ = tx.send(Msg::End(e));
            return;
        }
    }
}

struct Output {
    buf: String,
    line_buffered: bool,
}

impl Output {
    /// Write the buffer out; a closed pipe ends the program quietly with 0.
    fn flush(&mut self) -> Result<()> {
        let mut out = std::io::stdout().lock();
        match out.write_all(self.buf.as_bytes()).and_then(|_| out.flush()) {
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => std::process::exit(0),
            r => r?,
        }
        self.buf.clear();
        Ok(())
    }

    fn maybe_flush(&mut self) -> Result<()> {
        if self.line_buffered || self.buf.len() >= OUT_BLOCK {
            self.flush()?;
        }
        Ok(())
    }
}

/// Run `wirecrab -r FILE ...`. Returns the exit code.
pub fn run(cli: &Cli) -> Result<u8> {
    let Some(path) = cli.read.as_deref() else {
        bail!("nothing to read: give a capture file with -r FILE (live capture comes in a later version; see --help)");
    };
    let (mut opts, mut mode) = plan(cli)?;
    let reader = FileReader::open(path).map_err(|e| anyhow::anyhow!("{path}: {e}"))?;
    let live = path == "-";
    let (tx, rx) = bounded::<Msg>(BATCHES_IN_FLIGHT);
    let (recycle_tx, recycle_rx) = bounded::<Batch>(BATCHES_IN_FLIGHT + 1);
    let batch_bytes = if live || cli.line_buffered { 1 } else { BATCH_BYTES };
    let handle = thread::Builder::new()
        .name("reader".into())
        .spawn(move || reader_thread(reader, tx, recycle_rx, batch_bytes))
        .context("starting the reader thread")?;

    let quiet_fast = matches!(mode, Mode::Quiet) && cli.display_filter.is_none();
    let filter = cli.display_filter.as_deref().map(compile_filter).transpose()?;
    if let Some(f) = &filter {
        // The dissection keeps what the output needs plus what the filter reads.
        opts.want = match opts.want {
            Want::All => Want::All,
            Want::Nothing => Want::fields(f.fields().iter().map(|d| d.id())),
            Want::Some(_) => {
                let mut ids: Vec<u32> = f.fields().iter().map(|d| d.id()).collect();
                if let Mode::Fields(sink) = &mode {
                    ids.extend(sink.wanted_fields().iter().map(|d| d.id()));
                }
                Want::fields(ids)
            }
        };
    }
    let mut dissector = Dissector::new(opts);
    let mut out = Output { buf: String::with_capacity(OUT_BLOCK + 65536), line_buffered: cli.line_buffered || live };
    let mut tz = TimeCache::default();
    let mut first_ts: Option<Timestamp> = None;
    let mut prev_ts = Timestamp::default();
    let mut prev_displayed = Timestamp::default();
    let mut shown = 0u64;
    let limit = cli.count.unwrap_or(u64::MAX);
    if let Mode::Fields(sink) = &mode {
        sink.header(&mut out.buf);
    }
    let mut error = None;
    'outer: for msg in rx.iter() {
        let batch = match msg {
            Msg::Batch(b) => b,
            Msg::End(e) => {
                error = e;
                break;
            }
        };
        for (meta, start, len) in &batch.frames {
            let data = &batch.data[*start..*start + *len];
            let first = *first_ts.get_or_insert_with(|| {
                prev_ts = meta.ts;
                prev_displayed = meta.ts;
                meta.ts
            });
            if quiet_fast {
                shown += 1;
                if shown >= limit {
                    break 'outer;
                }
                continue;
            }
            let d = dissector.dissect(meta, data);
            if let Some(f) = &filter {
                if !f.matches(&wirecrab_filter::Frame { tree: d.tree, data }) {
                    prev_ts = meta.ts;
                    continue;
                }
            }
            let view = FrameView { meta, data, d: &d, first_ts: first, prev_ts, prev_displayed_ts: prev_displayed };
            match &mut mode {
                // tshark -x without -V prints the dump alone, no summary line.
                Mode::Summary(_) if cli.hex => {}
                Mode::Summary(s) => s.frame(&mut out.buf, &view),
                Mode::Fields(s) => s.frame(&mut out.buf, &view),
                Mode::Tree(only) => write_tree(&mut out.buf, &view, only.as_deref(), &mut tz),
                Mode::Json(st) => write_json(&mut out.buf, st, &view, &mut tz),
                Mode::Ek => write_ek(&mut out.buf, &view, &mut tz),
                Mode::Quiet => {}
            }
            if cli.hex && !matches!(mode, Mode::Quiet) {
                write_hex_dump(&mut out.buf, data);
            }
            prev_ts = meta.ts;
            prev_displayed = meta.ts;
            out.maybe_flush()?;
            shown += 1;
            if shown >= limit {
                break 'outer;
            }
        }
        let _ = recycle_tx.try_send(batch);
    }
    if let Mode::Json(st) = &mode {
        json_end(&mut out.buf, st);
    }
    out.flush()?;
    drop(rx);
    // The reader may be blocked on a full channel; dropping rx unblocks it.
    let _ = handle.join();
    match error {
        // Frames before the damage were printed; the message says where it is.
        Some(e) => {
            eprintln!("wirecrab: {path}: {e}");
            Ok(2)
        }
        None => Ok(0),
    }
}
