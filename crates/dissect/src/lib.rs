//! The dissection engine of wirecrab.
//!
//! A [`Dissector`] turns frame bytes into a [`Tree`](wirecrab_core::Tree) of
//! Wireshark-named fields plus the summary columns. Protocols live in
//! `protocols/`, one file each; a dissector returns [`Next`] to say which table
//! to consult for the payload, and the engine follows it, with a depth limit for
//! tunnels in tunnels. Adding a protocol is one new file plus one line in
//! `protocols/mod.rs`.
#![warn(missing_docs)]

mod columns;
mod ctx;
pub mod defrag;
pub mod http1;
mod engine;
pub mod names;
pub mod protocols;
mod registry;
mod state;
mod tables;
pub mod tcp_analysis;

pub use columns::{Address, Columns};
pub use ctx::{Ctx, Next, PacketInfo};
pub use engine::{Dissection, Dissector, LimitHits, Limits, Options};
pub use registry::{Protocol, Registry};
pub use tables::Tables;
