//! mcgw: one REST API over many clouds, each reached through a sandboxed Wasm adapter.
//!
//! # Layout (data flows down; nothing points back up)
//!
//! - [`cli`]: the `mcgw` command line (server start and API client);
//! - [`server`]: `run(listener, config, shutdown)` wires everything and serves;
//! - [`api`]: axum routes, the response envelope, DTOs, OpenAPI;
//! - [`services`]: the use cases (namespaces, connections, network, VMs);
//! - [`mcis`]: multi-cloud infrastructure: plans, journaled operations, reconcile, poller;
//! - [`placement`]: priced candidate regions for the `mcgw-geo` solvers;
//! - [`store`]: SQLite persistence; [`model`]: plain domain types;
//! - [`adapters`]: the registry of adapter versions and the typed adapter client;
//! - [`runtime`]: wasmtime engine, linker, per-call stores, outbound HTTP policy;
//! - [`config`], [`error`]: the validated configuration and the one error type.
//!
//! The simulated cloud (`mcgw-sim`) and the region catalog (`mcgw-geo`) are crates
//! of their own that know nothing of the gateway.

pub mod adapters;
pub mod api;
pub mod cli;
pub mod config;
pub mod error;
pub mod mcis;
pub mod model;
pub mod placement;
pub mod runtime;
pub mod server;
pub mod services;
pub mod store;
