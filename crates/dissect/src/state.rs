//! Cross-frame state, owned per capture and keyed by type so each protocol
//! file can keep its own (TCP conversations, ICMP echo requests...) without
//! the engine knowing about it.

use std::any::{Any, TypeId};
use rustc_hash::FxHashMap as HashMap;

use wirecrab_core::Timestamp;

/// State carried from frame to frame during one pass over a capture.
#[derive(Default)]
pub struct State {
    slots: HashMap<TypeId, Box<dyn Any + Send>>,
    /// Time of the first frame.
    pub first_ts: Option<Timestamp>,
    /// Time of the previous frame.
    pub prev_ts: Option<Timestamp>,
    /// Time of the previous frame shown (passed the display filter).
    pub prev_displayed_ts: Option<Timestamp>,
}

impl State {
    /// The state of type `T`, created with `Default` on first use.
    pub fn get<T: Any + Send + Default>(&mut self) -> &mut T {
        self.slots
            .entry(TypeId::of::<T>())
            .or_insert_with(|| Box::new(T::default()))
            .downcast_mut::<T>()
            .expect("slot keyed by TypeId::of::<T>() holds a T")
    }
}
