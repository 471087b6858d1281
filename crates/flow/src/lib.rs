//! Flow state for wirecrab, sans-IO: the caller hands in segments (and,
//! later, timestamps); the state machines hand back events. Nothing here
//! reads a clock, a socket or a file, so every behaviour is testable by
//! feeding bytes.
//!
//! [`Stream`] reassembles one TCP connection into two ordered byte streams
//! with explicit gaps: what a stream parser (HTTP, TLS) consumes.
#![warn(missing_docs)]

mod reassembly;

pub use reassembly::{Budget, Event, Limits, Segment, Stream};
