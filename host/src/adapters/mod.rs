//! Adapters: the registry of loaded components by name and version, the
//! built-in ones, and the typed client that the services call.

mod builtin;
mod client;
mod registry;
pub mod watch;

pub use builtin::BUILTIN;
pub use client::{AdapterClient, SERVED_BY};
pub use registry::{AdapterSummary, AdapterVersion, LimitsView, Registry, Source};
