//! Reading a capture and printing it: the tshark-compatible main job.
//!
//! Two threads: the reader (read(2) in large blocks, decompression, record
//! parsing) fills batches of frames; this thread dissects and formats them
//! in order. Memory is bounded by the channel's capacity times the batch size.

use std::io::Write;
use std::ops::Range;
use std::thread;

use anyhow::{bail, Context, Result};
use crossbeam_channel::{bounded, Receiver, Sender};
use wirecrab_capture::{CaptureFilter, CaptureWriter, FileReader, OutputFormat, ReadError, WriteError, WriteFrame};
use wirecrab_core::{FrameMeta, LinkType, Timestamp, Want};
use wirecrab_dissect::{Dissector, LimitHits, Limits, Options, Registry};
use wirecrab_filter::Filter;
use wirecrab_output::{
    ConvKind, ConvReport, ExpertReport, FollowReport, FollowSpec, HttpTree, HttpTreeKind, IoStat, IoStatSpec,
    json_end, write_ek, write_hex_dump, write_json, write_tree, FieldsOptions, FieldsSink, FrameView, JsonState, Occurrence,
    Quote, SummaryBatch, SummarySink, TimeCache, TimeFormat,
};

use crate::args::{Caps, Cli};

/// Bytes of frame data per batch handed from the reader to the dissector.
pub(crate) const BATCH_BYTES: usize = 256 << 10;
/// Batches in flight (bounds memory: about 4 × 256 KiB). Small batches keep
/// the frames in the shared cache between the reader core and this one:
/// 2 MiB batches measured 1.5× slower on the 1 GiB benchmark.
const BATCHES_IN_FLIGHT: usize = 4;
/// Output is written in blocks of this size.
const OUT_BLOCK: usize = 1 << 20;

/// Where a frame's bytes sit in its batch.
struct Entry {
    meta: FrameMeta,
    data: Range<usize>,
    /// The record as stored in the file, and the non-frame blocks before it
    /// (empty unless a writer needs them).
    raw: Range<usize>,
    side: Range<usize>,
}

struct Batch {
    data: Vec<u8>,
    frames: Vec<Entry>,
}

enum Msg {
    Batch(Batch),
    /// The end: a read error if any, and the non-frame blocks after the last frame.
    End(Option<ReadError>, Vec<u8>),
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
    fn local_time(&self, t: &wirecrab_filter::WrittenTime) -> Option<i64> {
        wirecrab_output::local_to_epoch(t.date, t.time)
    }
}

/// Compile a display filter given with `flag`, or say where and why it is
/// wrong (with a caret line).
pub(crate) fn compile_filter(flag: &str, src: &str) -> Result<Filter> {
    Filter::new(src, &RegistrySchema(Registry::get())).map_err(|e| anyhow::anyhow!("{flag}: invalid display filter\n{}", e.render(src)))
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
    if matches!(mode, Mode::Quiet) {
        // Nothing is printed: no columns to compute.
        opts.columns = false;
    }
    if let Some(o) = &cli.only {
        for p in o.split(',') {
            if reg.protocol(p.trim()).is_none() {
                bail!("-O {p}: unknown protocol (`wirecrab protocols` lists them)");
            }
        }
    }
    Ok((opts, mode))
}

fn reader_thread(mut r: FileReader, tx: Sender<Msg>, recycle: Receiver<Batch>, batch_bytes: usize, keep_raw: bool) {
    if keep_raw {
        r.keep_side_blocks();
    }
    loop {
        let mut b = recycle.try_recv().unwrap_or_else(|_| Batch { data: Vec::with_capacity(batch_bytes + 65536), frames: Vec::new() });
        b.data.clear();
        b.frames.clear();
        let end = loop {
            match r.next_frame() {
                Ok(Some(f)) => {
                    let e = if keep_raw { copy_raw(&mut b.data, &f) } else { copy_data(&mut b.data, &f) };
                    b.frames.push(e);
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
            let _ = tx.send(Msg::End(e, r.trailing_side_blocks().to_vec()));
            return;
        }
    }
}

fn copy_data(buf: &mut Vec<u8>, f: &wirecrab_capture::Frame<'_>) -> Entry {
    let start = buf.len();
    buf.extend_from_slice(f.data);
    Entry { meta: f.meta.clone(), data: start..buf.len(), raw: 0..0, side: 0..0 }
}

/// Copy the side blocks and the stored record; the data is a part of the
/// record (except for custom blocks, whose data the reader rearranged).
fn copy_raw(buf: &mut Vec<u8>, f: &wirecrab_capture::Frame<'_>) -> Entry {
    let side = buf.len()..buf.len() + f.side.len();
    buf.extend_from_slice(f.side);
    let raw = buf.len()..buf.len() + f.raw.len();
    buf.extend_from_slice(f.raw);
    let offset = (f.data.as_ptr() as usize).wrapping_sub(f.raw.as_ptr() as usize);
    let data = if offset <= f.raw.len() && offset + f.data.len() <= f.raw.len() {
        raw.start + offset..raw.start + offset + f.data.len()
    } else {
        let start = buf.len();
        buf.extend_from_slice(f.data);
        start..buf.len()
    };
    Entry { meta: f.meta.clone(), data, raw, side }
}

/// One frame as the pipeline hands it over.
pub(crate) struct Item<'a> {
    pub meta: &'a mut FrameMeta,
    pub data: &'a [u8],
    raw: &'a [u8],
    side: &'a [u8],
}

/// Read `path` on a second thread and call `each` for every frame, in order,
/// until it returns `false`. Returns the read error that ended the file early
/// (if any) and the non-frame blocks after the last frame.
pub(crate) fn for_each_frame(
    reader: FileReader,
    batch_bytes: usize,
    keep_raw: bool,
    mut each: impl FnMut(Item<'_>) -> Result<bool>,
) -> Result<(Option<ReadError>, Vec<u8>)> {
    let (tx, rx) = bounded::<Msg>(BATCHES_IN_FLIGHT);
    let (recycle_tx, recycle_rx) = bounded::<Batch>(BATCHES_IN_FLIGHT + 1);
    let handle = thread::Builder::new()
        .name("reader".into())
        .spawn(move || reader_thread(reader, tx, recycle_rx, batch_bytes, keep_raw))
        .context("starting the reader thread")?;
    let mut end = (None, Vec::new());
    'outer: for msg in rx.iter() {
        let mut batch = match msg {
            Msg::Batch(b) => b,
            Msg::End(e, trailing) => {
                end = (e, trailing);
                break;
            }
        };
        for e in batch.frames.iter_mut() {
            let d = &batch.data;
            let item = Item { meta: &mut e.meta, data: &d[e.data.clone()], raw: &d[e.raw.clone()], side: &d[e.side.clone()] };
            if !each(item)? {
                break 'outer;
            }
        }
        let _ = recycle_tx.try_send(batch);
    }
    drop(rx);
    // The reader may be blocked on a full channel; dropping rx unblocks it.
    let _ = handle.join();
    Ok(end)
}

pub(crate) struct Output {
    pub buf: String,
    pub line_buffered: bool,
}

impl Output {
    /// Write the buffer out; a closed pipe ends the program quietly with 0.
    pub fn flush(&mut self) -> Result<()> {
        let mut out = std::io::stdout().lock();
        match out.write_all(self.buf.as_bytes()).and_then(|_| out.flush()) {
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => std::process::exit(0),
            r => r?,
        }
        self.buf.clear();
        Ok(())
    }

    pub fn maybe_flush(&mut self) -> Result<()> {
        if self.line_buffered || self.buf.len() >= OUT_BLOCK {
            self.flush()?;
        }
        Ok(())
    }
}

/// Lines per batch handed to the summary thread.
const SUMMARY_BATCH: usize = 4096;

/// Writes summary lines on a thread of its own: taking a frame's line is a
/// few copies, writing it (addresses, times, TCP's Info, padding) was a third
/// of the dissecting thread's time. Lines keep their order: one thread, one
/// queue.
struct SummaryThread {
    tx: Option<Sender<SummaryBatch>>,
    recycle: Receiver<SummaryBatch>,
    batch: SummaryBatch,
    handle: Option<thread::JoinHandle<()>>,
}

impl SummaryThread {
    fn start(mut sink: SummarySink) -> Result<SummaryThread> {
        let (tx, rx) = bounded::<SummaryBatch>(4);
        let (back, recycle) = bounded::<SummaryBatch>(8);
        let handle = thread::Builder::new()
            .name("summary".into())
            .spawn(move || {
                let mut out = Output { buf: String::with_capacity(OUT_BLOCK + 65536), line_buffered: false };
                let or_exit = |r: Result<()>| {
                    if let Err(e) = r {
                        eprintln!("wirecrab: writing the output: {e}");
                        std::process::exit(1);
                    }
                };
                for mut b in rx {
                    sink.batch(&mut out.buf, &b);
                    or_exit(out.maybe_flush());
                    b.clear();
                    let _ = back.try_send(b);
                }
                or_exit(out.flush());
            })
            .context("starting the summary thread")?;
        Ok(SummaryThread { tx: Some(tx), recycle, batch: SummaryBatch::default(), handle: Some(handle) })
    }

    /// Take the line of the frame `v` shows.
    fn push(&mut self, v: &FrameView<'_>) -> Result<()> {
        self.batch.push(v);
        if self.batch.len() >= SUMMARY_BATCH {
            self.send()?;
        }
        Ok(())
    }

    fn send(&mut self) -> Result<()> {
        let next = self.recycle.try_recv().unwrap_or_default();
        let full = std::mem::replace(&mut self.batch, next);
        if let Some(tx) = &self.tx {
            tx.send(full).map_err(|_| anyhow::anyhow!("the summary thread stopped"))?;
        }
        Ok(())
    }

    /// Write what is left and wait until every line is out.
    fn finish(mut self) -> Result<()> {
        if !self.batch.is_empty() {
            self.send()?;
        }
        self.tx = None;
        if let Some(h) = self.handle.take() {
            h.join().map_err(|_| anyhow::anyhow!("the summary thread failed"))?;
        }
        Ok(())
    }
}

/// Frame numbers, one bit each: the frames the first pass of `-2 -R` kept.
#[derive(Default)]
struct FrameSet(Vec<u64>);

impl FrameSet {
    fn insert(&mut self, n: u64) {
        let (w, b) = ((n / 64) as usize, n % 64);
        if self.0.len() <= w {
            self.0.resize(w + 1, 0);
        }
        self.0[w] |= 1 << b;
    }

    fn contains(&self, n: u64) -> bool {
        self.0.get((n / 64) as usize).is_some_and(|w| w & (1 << (n % 64)) != 0)
    }
}

pub(crate) fn open(path: &str) -> Result<FileReader> {
    FileReader::open(path).map_err(|e| anyhow::anyhow!("{path}: {e}"))
}

/// `-f`: compile the tcpdump expression for the file's link type, now, so a
/// mistake stops the run before any frame is read.
fn capture_filter(cli: &Cli, reader: &FileReader) -> Result<Option<CaptureFilter>> {
    let Some(expr) = cli.capture_filter.as_deref() else { return Ok(None) };
    let link = reader.link_type().unwrap_or(LinkType::ETHERNET);
    CaptureFilter::new(expr, link)
        .map(Some)
        .map_err(|e| anyhow::anyhow!("-f '{expr}': invalid capture filter: {e}\n(capture filters use tcpdump's language, see pcap-filter(7); display filters go in -Y)"))
}

/// The first pass of `-2 -R`: dissect every frame in order and remember the
/// ones the read filter keeps. Only those exist for the second pass, which
/// dissects them afresh and numbers them from 1, as tshark does.
fn first_pass(cli: &Cli, path: &str, rf: &Filter, mut bpf: Option<&mut CaptureFilter>) -> Result<FrameSet> {
    let mut set = FrameSet::default();
    let mut dissector = Dissector::new(Options { want: Want::fields(rf.fields().iter().map(|d| d.id())), columns: false, protocols: false });
    configure(&mut dissector, cli.show_secrets, &cli.decode_as, limits(&cli.caps))?;
    // A read error ends this pass early; the second pass meets it again and reports it.
    for_each_frame(open(path)?, BATCH_BYTES, false, |it| {
        if bpf.as_mut().is_some_and(|b| !b.matches(it.meta, it.data)) {
            return Ok(true);
        }
        let d = dissector.dissect(it.meta, it.data);
        if rf.matches(&wirecrab_filter::Frame { tree: d.tree, data: it.data }) {
            set.insert(it.meta.number);
        }
        Ok(true)
    })?;
    Ok(set)
}

/// `--show-secrets`, `-d tcp.port==N,http` and the memory caps.
pub(crate) fn configure(d: &mut Dissector, show_secrets: bool, decode_as: &[String], limits: Limits) -> Result<()> {
    d.show_secrets(show_secrets);
    d.set_limits(limits);
    for spec in decode_as {
        let bad = || anyhow::anyhow!("-d {spec}: use -d tcp.port==PORT,http (HTTP on a TCP port of your own)");
        let (selector, proto) = spec.split_once(',').ok_or_else(bad)?;
        let port = selector.strip_prefix("tcp.port==").or_else(|| selector.strip_prefix("tcp.port=")).ok_or_else(bad)?;
        let port: u16 = port.trim().parse().map_err(|_| bad())?;
        if !proto.trim().eq_ignore_ascii_case("http") {
            bail!("-d {spec}: this version decodes TCP ports as http only");
        }
        d.decode_as_http(port);
    }
    Ok(())
}

/// The caps from the command line.
pub(crate) fn limits(c: &Caps) -> Limits {
    Limits { max_flows: c.max_flows, max_stream_buffer: c.max_stream_buffer, max_header: c.max_header }
}

/// Say on stderr which caps were reached: results past them are partial.
pub(crate) fn report_limits(hits: LimitHits, l: Limits) {
    if hits.flows > 0 {
        eprintln!("wirecrab: note: --max-flows {} reached: {} TCP connections forgotten early (their later segments start afresh); raise it for exact analysis", l.max_flows, hits.flows);
    }
    if hits.stream_buffer > 0 {
        eprintln!("wirecrab: note: --max-stream-buffer {} reached: {} HTTP messages too long to reassemble were given up", l.max_stream_buffer, hits.stream_buffer);
    }
    if hits.header > 0 {
        eprintln!("wirecrab: note: --max-header {} reached: {} HTTP header blocks were cut there", l.max_header, hits.header);
    }
}

/// One `-z` report with its own filter.
struct Report {
    tap: Box<dyn wirecrab_output::Report>,
    filter: Option<Filter>,
}

impl Report {
    fn wanted_fields(&self) -> Vec<&'static wirecrab_core::FieldDef> {
        let mut f = self.tap.wanted_fields();
        if let Some(fl) = &self.filter {
            f.extend(fl.fields());
        }
        f
    }

    fn frame(&mut self, v: &FrameView<'_>, data: &[u8]) {
        if self.filter.as_ref().is_none_or(|f| f.matches(&wirecrab_filter::Frame { tree: v.d.tree, data })) {
            self.tap.frame(v);
        }
    }

    fn write(&self, out: &mut String, first: Timestamp) {
        self.tap.write(out, first);
    }
}

/// `-z io,stat`: the table and the compiled filter of each column.
struct IoStatTap {
    table: IoStat,
    filters: Vec<Option<Filter>>,
    matched: Vec<bool>,
}

impl wirecrab_output::Report for IoStatTap {
    fn wanted_fields(&self) -> Vec<&'static wirecrab_core::FieldDef> {
        let mut f = self.table.wanted_fields();
        f.extend(self.filters.iter().flatten().flat_map(|fl| fl.fields()));
        f
    }

    fn frame(&mut self, v: &FrameView<'_>) {
        self.matched.clear();
        for f in &self.filters {
            self.matched.push(f.as_ref().is_none_or(|f| f.matches(&wirecrab_filter::Frame { tree: v.d.tree, data: v.data })));
        }
        self.table.frame(v, &self.matched);
    }

    fn write(&self, out: &mut String, _first: Timestamp) {
        self.table.write(out);
    }
}

const REPORTS_HELP: &str = "conv,TYPE[,FILTER] | endpoints,TYPE[,FILTER] (TYPE: eth, ip, ipv6, tcp, udp) | follow,tcp|udp|http,ascii|hex|raw|yaml,STREAM[,RANGE] | http,tree[,FILTER] | http_req,tree[,FILTER] | io,stat,INTERVAL[,COLUMN...] | expert[,error|warn|note|chat|comment][,FILTER]";

/// Every `-z`, checked before any frame is read.
fn parse_reports(cli: &Cli) -> Result<Vec<Report>> {
    let mut out = Vec::new();
    for z in &cli.reports {
        let (name, args) = z.split_once(',').unwrap_or((z.as_str(), ""));
        let with_filter = |flt: Option<&str>| -> Result<Option<Filter>> {
            flt.filter(|f| !f.trim().is_empty()).map(|f| compile_filter(&format!("-z {z}"), f)).transpose()
        };
        let report = match name {
            "conv" | "endpoints" => {
                let (kind, flt) = match args.split_once(',') {
                    Some((k, f)) => (k, Some(f)),
                    None => (args, None),
                };
                let Some(k) = ConvKind::parse(kind) else {
                    bail!("-z {z}: use {name},eth, {name},ip, {name},ipv6, {name},tcp or {name},udp")
                };
                let tap: Box<dyn wirecrab_output::Report> = if name == "conv" {
                    Box::new(ConvReport::new(k, flt.map(str::to_string)))
                } else {
                    Box::new(ConvReport::endpoints(k, flt.map(str::to_string)))
                };
                Report { tap, filter: with_filter(flt)? }
            }
            "follow" => {
                let spec = FollowSpec::parse(args).map_err(|e| anyhow::anyhow!("-z {z}: {e}\n(e.g. -z follow,tcp,ascii,0 or -z follow,tcp,hex,10.0.0.1:443,10.0.0.2:51234)"))?;
                Report { tap: Box::new(FollowReport::new(spec)), filter: None }
            }
            "http" | "http_req" => {
                let (kind, flt) = match args.split_once(',') {
                    Some((k, f)) => (k, Some(f)),
                    None => (args, None),
                };
                if kind != "tree" {
                    bail!("-z {z}: use -z {name},tree[,FILTER]");
                }
                let kind = if name == "http" { HttpTreeKind::Packets } else { HttpTreeKind::Requests };
                Report { tap: Box::new(HttpTree::new(kind)), filter: with_filter(flt)? }
            }
            "io" => {
                let Some(arg) = args.strip_prefix("stat,") else { bail!("-z {z}: use -z io,stat,INTERVAL[,FILTER...]") };
                let spec = IoStatSpec::parse(arg).map_err(|e| anyhow::anyhow!("-z {z}: {e}"))?;
                let reg = Registry::get();
                let table = IoStat::new(spec, |n| reg.field(n)).map_err(|e| anyhow::anyhow!("-z {z}: {e}"))?;
                let filters = table.filters().iter().map(|f| f.as_deref().map(|f| compile_filter(&format!("-z {z}"), f)).transpose()).collect::<Result<Vec<_>>>()?;
                Report { tap: Box::new(IoStatTap { table, filters, matched: Vec::new() }), filter: None }
            }
            "expert" => {
                let (report, flt) = ExpertReport::parse(&z["expert".len()..]).map_err(|e| anyhow::anyhow!("-z {z}: {e}"))?;
                Report { tap: Box::new(report), filter: with_filter(flt.as_deref())? }
            }
            _ => bail!("-z {z}: unknown report; this version has {REPORTS_HELP}"),
        };
        out.push(report);
    }
    Ok(out)
}

/// `-w FILE`: where matching frames go, and in which format.
fn open_writer(cli: &Cli, reader: &FileReader) -> Result<Option<CaptureWriter<Box<dyn Write>>>> {
    let Some(out) = cli.write.as_deref() else { return Ok(None) };
    let format = match cli.out_format.as_deref() {
        None => OutputFormat::same_as(reader.format()),
        Some(f) => OutputFormat::parse(f).with_context(|| format!("-F {f}: unknown file format (use pcap, nsecpcap or pcapng)"))?,
    };
    let sink: Box<dyn Write> = if out == "-" {
        Box::new(std::io::BufWriter::with_capacity(OUT_BLOCK, std::io::stdout()))
    } else {
        let file = std::fs::File::create(out).with_context(|| format!("-w {out}: cannot create the file"))?;
        Box::new(std::io::BufWriter::with_capacity(OUT_BLOCK, file))
    };
    Ok(Some(CaptureWriter::new(sink, reader.format(), format)))
}

/// A write failure: a closed pipe ends quietly (like tcpdump -w - | head);
/// anything else (disk full) is an error naming the file.
fn write_failed(cli: &Cli, e: WriteError) -> anyhow::Error {
    if let WriteError::Io(io) = &e {
        if io.kind() == std::io::ErrorKind::BrokenPipe {
            std::process::exit(0);
        }
    }
    anyhow::anyhow!("-w {}: {e}", cli.write.as_deref().unwrap_or("-"))
}

/// Run `wirecrab -r FILE ...`. Returns the exit code.
pub fn run(cli: &Cli) -> Result<u8> {
    let Some(path) = cli.read.as_deref() else {
        bail!("nothing to read: give a capture file with -r FILE (live capture comes in a later version; see --help)");
    };
    if cli.read_filter.is_some() && !cli.two_pass {
        bail!("-R without -2 is deprecated, as in tshark: use -Y FILTER for single-pass filtering, or add -2");
    }
    let live = path == "-";
    if cli.two_pass && live {
        bail!("-2 reads the input twice, so it needs a file: save the stream first (e.g. -w file.pcapng) or use -Y");
    }
    let writing = cli.write.is_some();
    if cli.print_with_write && cli.write.as_deref() == Some("-") {
        bail!("-P prints packets to standard output, which -w - already uses for the capture");
    }
    let (mut opts, mut mode) = plan(cli)?;
    if writing && !cli.print_with_write {
        // tshark -w prints no packets unless -P asks for them.
        mode = Mode::Quiet;
        opts.columns = false;
    }
    let filter = cli.display_filter.as_deref().map(|f| compile_filter("-Y", f)).transpose()?;
    let read_filter = cli.read_filter.as_deref().map(|f| compile_filter("-R", f)).transpose()?;
    let mut reader = open(path)?;
    let mut bpf = capture_filter(cli, &reader)?;
    let selected = match &read_filter {
        Some(rf) => {
            let set = first_pass(cli, path, rf, bpf.as_mut())?;
            reader = open(path)?;
            Some(set)
        }
        None => None,
    };
    let mut writer = open_writer(cli, &reader)?;
    let renumber = selected.is_some() || bpf.is_some();
    let batch_bytes = if live || cli.line_buffered { 1 } else { BATCH_BYTES };

    let mut reports = parse_reports(cli)?;
    let quiet_fast = matches!(mode, Mode::Quiet) && filter.is_none() && reports.is_empty();
    // The dissection keeps what the output needs plus what the filters and reports read.
    let mut extra: Vec<u32> = filter.iter().flat_map(|f| f.fields().iter().map(|d| d.id())).collect();
    for r in &reports {
        extra.extend(r.wanted_fields().iter().map(|d| d.id()));
    }
    if !extra.is_empty() {
        opts.want = match opts.want {
            Want::All => Want::All,
            Want::Nothing => Want::fields(extra),
            Want::Some(_) => {
                if let Mode::Fields(sink) = &mode {
                    extra.extend(sink.wanted_fields().iter().map(|d| d.id()));
                }
                Want::fields(extra)
            }
        };
    }
    let mut dissector = Dissector::new(opts);
    configure(&mut dissector, cli.show_secrets, &cli.decode_as, limits(&cli.caps))?;
    let mut out = Output { buf: String::with_capacity(OUT_BLOCK + 65536), line_buffered: cli.line_buffered || live };
    // Summary lines of a file are written on a thread of their own (not for a
    // live or line-buffered stream: each line must leave as soon as it is made).
    let mut summary_thread = match &mut mode {
        Mode::Summary(s) if !cli.hex && !out.line_buffered => Some(SummaryThread::start(std::mem::take(s))?),
        _ => None,
    };
    let mut tz = TimeCache::default();
    let mut first_ts: Option<Timestamp> = None;
    let mut prev_ts = Timestamp::default();
    let mut prev_displayed = Timestamp::default();
    let mut shown = 0u64;
    let mut number = 0u64;
    let mut started = false;
    let limit = cli.count.unwrap_or(u64::MAX);
    if let Mode::Fields(sink) = &mode {
        sink.header(&mut out.buf);
    }
    let (error, trailing) = for_each_frame(reader, batch_bytes, writing, |it| {
        if let Some(w) = writer.as_mut() {
            w.side_blocks(it.side).map_err(|e| write_failed(cli, e))?;
        }
        if selected.is_some() && first_ts.is_none() {
            // After -R, times stay relative to the file's first frame even
            // when the read filter dropped it (tshark -2 -R does the same).
            first_ts = Some(it.meta.ts);
            dissector.set_first_time(it.meta.ts);
        }
        let kept = match (&selected, bpf.as_mut()) {
            (Some(set), _) => set.contains(it.meta.number),
            // -f: as if the capture had been taken with this filter.
            (None, Some(b)) => b.matches(it.meta, it.data),
            (None, None) => true,
        };
        if !kept {
            return Ok(true);
        }
        let first = *first_ts.get_or_insert(it.meta.ts);
        if !started {
            // The first frame is its own predecessor: its deltas are zero.
            started = true;
            prev_ts = it.meta.ts;
            prev_displayed = it.meta.ts;
        }
        if renumber {
            // Frames a read or capture filter dropped do not exist from here on.
            number += 1;
            it.meta.number = number;
        }
        if quiet_fast {
            if let Some(w) = writer.as_mut() {
                w.frame(&WriteFrame { meta: it.meta, data: it.data, raw: it.raw }).map_err(|e| write_failed(cli, e))?;
            }
            shown += 1;
            return Ok(shown < limit);
        }
        let meta = &*it.meta;
        let data = it.data;
        let d = dissector.dissect(meta, data);
        if !reports.is_empty() {
            // Reports see every frame; -Y only decides what is printed.
            let view = FrameView { meta, data, d: &d, first_ts: first, prev_ts, prev_displayed_ts: prev_displayed };
            for r in reports.iter_mut() {
                r.frame(&view, data);
            }
        }
        if let Some(f) = &filter {
            if !f.matches(&wirecrab_filter::Frame { tree: d.tree, data }) {
                prev_ts = meta.ts;
                return Ok(true);
            }
        }
        if let Some(w) = writer.as_mut() {
            w.frame(&WriteFrame { meta, data, raw: it.raw }).map_err(|e| write_failed(cli, e))?;
        }
        let view = FrameView { meta, data, d: &d, first_ts: first, prev_ts, prev_displayed_ts: prev_displayed };
        match &mut mode {
            // tshark -x without -V prints the dump alone, no summary line.
            Mode::Summary(_) if cli.hex => {}
            Mode::Summary(s) => match summary_thread.as_mut() {
                Some(t) => t.push(&view)?,
                None => s.frame(&mut out.buf, &view),
            },
            Mode::Fields(s) => s.frame(&mut out.buf, &view),
            Mode::Tree(only) => write_tree(&mut out.buf, &view, only.as_deref(), &mut tz),
            Mode::Json(st) => write_json(&mut out.buf, st, &view, &mut tz),
            Mode::Ek => write_ek(&mut out.buf, &view, &mut tz),
            Mode::Quiet => {}
        }
        if cli.hex && !matches!(mode, Mode::Quiet) {
            write_hex_dump(&mut out.buf, data);
        }
        dissector.mark_displayed(meta.ts);
        prev_ts = meta.ts;
        prev_displayed = meta.ts;
        out.maybe_flush()?;
        shown += 1;
        Ok(shown < limit)
    })?;
    if let Some(t) = summary_thread {
        // Every line is out before the reports and any error message.
        t.finish()?;
    }
    if let Mode::Json(st) = &mode {
        json_end(&mut out.buf, st);
    }
    // tshark prints reports in reverse command-line order.
    for r in reports.iter().rev() {
        r.write(&mut out.buf, first_ts.unwrap_or_default());
    }
    out.flush()?;
    report_limits(dissector.limit_hits(), limits(&cli.caps));
    if let Some(mut w) = writer {
        w.side_blocks(&trailing).map_err(|e| write_failed(cli, e))?;
        w.finish().map_err(|e| write_failed(cli, e))?;
    }
    match error {
        // Frames before the damage were handled; the message says where it is.
        Some(e) => {
            eprintln!("wirecrab: {path}: {e}");
            Ok(2)
        }
        None => Ok(0),
    }
}
