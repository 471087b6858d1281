//! The engine: runs the dissectors of one frame and follows their `Next`.

use wirecrab_core::{Buf, FrameMeta, Timestamp, Tree, Want};

use crate::columns::Columns;
use crate::ctx::{Ctx, Next, PacketInfo};
use crate::protocols::{data, frame};
use crate::registry::{Protocol, Registry};
use crate::state::State;
use crate::tables::Tables;

/// Tunnels in tunnels stop here; deeper bytes become `data`.
const MAX_LAYERS: usize = 64;

/// What to compute for each frame.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Which fields to keep in the tree.
    pub want: Want,
    /// Compute the Protocol/Info/Source/Destination columns.
    pub columns: bool,
    /// Compute `frame.protocols` even when the tree does not keep it.
    pub protocols: bool,
}

/// Memory caps on cross-frame state (`--max-flows`, `--max-stream-buffer`,
/// `--max-header`). Exceeding one never grows memory: the oldest state is
/// forgotten or the message is given up, and [`LimitHits`] counts it.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// TCP connections tracked at once.
    pub max_flows: usize,
    /// Bytes one HTTP message may be reassembled into.
    pub max_stream_buffer: usize,
    /// Bytes an HTTP header block may span before it is taken as it is.
    pub max_header: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits { max_flows: 1 << 20, max_stream_buffer: 16 << 20, max_header: 64 << 10 }
    }
}

/// How often each cap of [`Limits`] was reached.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LimitHits {
    /// TCP connections forgotten to stay under `max_flows`.
    pub flows: u64,
    /// HTTP messages given up past `max_stream_buffer`.
    pub stream_buffer: u64,
    /// HTTP header blocks cut at `max_header`.
    pub header: u64,
}

/// What a run needs computed, decided once from its [`Options`]: the lazy
/// mode's protocol-level half (the field-level half is [`Want`]).
pub struct Needs {
    /// Leaf protocols nobody asked about, by protocol field id: never called.
    skip: Vec<bool>,
    /// Protocols none of whose fields is kept, by protocol field id: their
    /// dissectors may skip adding fields (each add tests the field's bit).
    fieldless: Vec<bool>,
    /// TCP conversations must be tracked (stream numbers, relative sequence
    /// numbers, analysis, or a protocol after TCP is wanted).
    pub tcp_tracking: bool,
    /// TCP sequence analysis must run (its flags, Info prefixes, HTTP's view
    /// of retransmissions); stream numbers alone do not need it.
    pub tcp_analysis: bool,
    /// TCP's optional work (ACK bookkeeping, SACK, options as fields).
    pub tcp: crate::protocols::tcp::Wants,
    /// Show credentials (Authorization, Cookie...) as sent instead of masked.
    pub show_secrets: bool,
    /// TCP ports decoded as HTTP besides the well-known ones (`-d tcp.port==N,http`).
    pub http_ports: Vec<u16>,
    /// Memory caps.
    pub limits: Limits,
}

impl Needs {
    fn new(opts: &Options, reg: &Registry) -> Needs {
        let everything = matches!(opts.want, Want::All)
            || opts.columns
            || opts.protocols
            || opts.want.wants(&frame::PROTOCOLS)
            // The Ethernet padding is measured from where the last network
            // layer (ARP included) ends: every layer must run.
            || crate::protocols::eth::TAIL_FIELDS.iter().any(|f| opts.want.wants(f));
        let mut skip = vec![false; reg.fields.len()];
        let mut fieldless = vec![false; reg.fields.len()];
        for p in reg.protocols.iter() {
            if !p.wanted_by(&opts.want) {
                if let Some(f) = fieldless.get_mut(p.field.id() as usize) {
                    *f = true;
                }
            }
        }
        let mut leaf_wanted = false;
        for p in reg.protocols.iter().filter(|p| p.leaf) {
            if everything || p.wanted_by(&opts.want) {
                leaf_wanted = true;
            } else if let Some(s) = skip.get_mut(p.field.id() as usize) {
                *s = true;
            }
        }
        let tcp_tracking = everything || leaf_wanted || crate::protocols::tcp::needs_tracking(&opts.want);
        let http_runs = !skip.get(crate::protocols::http::PROTOCOL.field.id() as usize).copied().unwrap_or(false);
        let tcp_analysis = everything || http_runs || crate::protocols::tcp::needs_analysis(&opts.want);
        let tcp = crate::protocols::tcp::wants(&opts.want);
        Needs { skip, fieldless, tcp, tcp_tracking, tcp_analysis, show_secrets: false, http_ports: Vec::new(), limits: Limits::default() }
    }

    /// Does the run keep none of `p`'s fields?
    #[inline]
    pub fn fieldless(&self, p: &Protocol) -> bool {
        self.fieldless.get(p.field.id() as usize).copied().unwrap_or(false)
    }

    /// Can the run do without dissecting `p`?
    #[inline]
    pub fn skips(&self, p: &Protocol) -> bool {
        self.skip.get(p.field.id() as usize).copied().unwrap_or(false)
    }
}

/// Dissects frames one after another, keeping cross-frame state.
pub struct Dissector {
    registry: &'static Registry,
    needs: Needs,
    state: State,
    tree: Tree,
    cols: Columns,
    layers: Vec<&'static str>,
    malformed: bool,
}

/// The result of dissecting one frame (borrowed until the next frame).
pub struct Dissection<'d> {
    /// The field tree.
    pub tree: &'d Tree,
    /// The columns (empty unless asked for).
    pub cols: &'d Columns,
    /// Protocol tokens in order (`frame.protocols` joined with `:`).
    pub layers: &'d [&'static str],
    /// True when a layer found the packet malformed.
    pub malformed: bool,
}

impl Dissector {
    /// A dissector computing what `opts` asks for.
    pub fn new(opts: Options) -> Self {
        let mut cols = Columns::default();
        cols.enabled = opts.columns;
        let registry = Registry::get();
        Dissector {
            registry,
            needs: Needs::new(&opts, registry),
            state: State::default(),
            tree: Tree::new(opts.want),
            cols,
            layers: Vec::with_capacity(16),
            malformed: false,
        }
    }

    /// Show credentials as sent (`--show-secrets`); they are masked otherwise.
    pub fn show_secrets(&mut self, show: bool) {
        self.needs.show_secrets = show;
    }

    /// Set the memory caps.
    pub fn set_limits(&mut self, limits: Limits) {
        self.needs.limits = limits;
    }

    /// How often the caps were reached so far.
    pub fn limit_hits(&mut self) -> LimitHits {
        *self.state.get::<LimitHits>()
    }

    /// Decode TCP `port` as HTTP (`-d tcp.port==PORT,http`).
    pub fn decode_as_http(&mut self, port: u16) {
        self.needs.http_ports.push(port);
    }

    /// Measure `frame.time_relative` from `ts` instead of the first frame
    /// dissected: the second pass of `-2 -R` dissects only the frames the read
    /// filter kept, but times stay relative to the file's first frame.
    pub fn set_first_time(&mut self, ts: Timestamp) {
        self.state.first_ts = Some(ts);
    }

    /// Note that the frame dissected last at time `ts` was displayed: the
    /// reference for the next frames' `frame.time_delta_displayed`.
    pub fn mark_displayed(&mut self, ts: Timestamp) {
        self.state.prev_displayed_ts = Some(ts);
    }

    /// Dissect one frame. `data` is what was captured, `meta.orig_len` what was on the wire.
    pub fn dissect<'d>(&'d mut self, meta: &FrameMeta, data: &[u8]) -> Dissection<'d> {
        self.tree.clear();
        let enabled = self.cols.enabled;
        self.cols.clear();
        self.cols.enabled = enabled;
        self.layers.clear();
        let tables = &self.registry.tables;
        let mut ctx = Ctx {
            tree: &mut self.tree,
            cols: &mut self.cols,
            meta,
            data,
            state: &mut self.state,
            pinfo: PacketInfo::default(),
            layers: &mut self.layers,
            malformed: false,
            needs: &self.needs,
        };
        let buf = Buf::new(data, meta.orig_len as usize);
        frame::dissect_frame(&mut ctx, buf);
        let next = match tables.link.get(&meta.link_type.0) {
            Some(p) => Next::Proto(p, buf),
            None => {
                let name = meta.link_type.name();
                ctx.set_protocol(&name);
                if let Some(i) = ctx.info_set() {
                    i.push_str(&meta.link_type.description());
                }
                Next::Data(buf)
            }
        };
        run_chain(&mut ctx, tables, next, 0);
        crate::protocols::eth::padding_and_trailer(&mut ctx);
        self.malformed = ctx.malformed;
        frame::finish(&mut self.tree, &self.layers);
        Dissection { tree: &self.tree, cols: &self.cols, layers: &self.layers, malformed: self.malformed }
    }
}

/// Follow `Next` until the chain ends. `steps` counts layers across nested
/// (reassembled) chains so tunnels in tunnels stay bounded.
fn run_chain<'a>(ctx: &mut Ctx<'a, '_>, tables: &Tables, mut next: Next<'a>, mut steps: usize) {
    loop {
        steps += 1;
        next = match next {
            Next::Done => break,
            _ if steps > MAX_LAYERS => break,
            Next::Proto(p, b) => call(ctx, p, b),
            Next::Ethertype(t, b) => {
                ctx.layer("ethertype");
                match tables.ethertype.get(&t) {
                    Some(p) => call(ctx, p, b),
                    None => unknown_ethertype(ctx, t, b),
                }
            }
            Next::IpProto(n, b) => match tables.ip_proto.get(&n) {
                Some(p) => call(ctx, p, b),
                None => Next::Data(b),
            },
            Next::UdpPorts(s, d, b) => match Tables::ports(&tables.udp_port, s, d) {
                Some(p) => call(ctx, p, b),
                None => Next::Data(b),
            },
            Next::TcpPorts(s, d, b) => match Tables::ports(&tables.tcp_port, s, d) {
                Some(p) => call(ctx, p, b),
                None => Next::Data(b),
            },
            Next::Data(b) => {
                if !b.is_empty() {
                    call(ctx, &data::PROTOCOL, b);
                }
                break;
            }
            Next::Reassembled(bytes, proto) => {
                // The reassembled bytes live here, so the rest of the chain runs
                // in a nested context that borrows them.
                let mut sub = Ctx {
                    tree: &mut *ctx.tree,
                    cols: &mut *ctx.cols,
                    meta: ctx.meta,
                    data: &bytes,
                    state: &mut *ctx.state,
                    pinfo: ctx.pinfo,
                    layers: &mut *ctx.layers,
                    malformed: ctx.malformed,
                    needs: ctx.needs,
                };
                run_chain(&mut sub, tables, Next::IpProto(proto, Buf::detached(&bytes)), steps);
                ctx.malformed = sub.malformed;
                break;
            }
        };
    }
}

fn call<'a>(ctx: &mut Ctx<'a, '_>, p: &'static Protocol, b: Buf<'a>) -> Next<'a> {
    if p.leaf && ctx.needs.skips(p) {
        return Next::Done;
    }
    ctx.layer(p.abbrev());
    let next = (p.dissect)(ctx, b);
    // A dissector that forgot to close its subtree must not shift the next protocol.
    ctx.tree.set_depth(0);
    next
}

fn unknown_ethertype<'a>(ctx: &mut Ctx<'a, '_>, t: u16, b: Buf<'a>) -> Next<'a> {
    if ctx.wants_cols() {
        let mut s = String::new();
        crate::names::write_hex(&mut s, t as u64, 4);
        ctx.set_protocol(&s);
    }
    Next::Data(b)
}
