//! What one adapter call's Store holds: its WASI and HTTP contexts, the outbound
//! policy, its memory limiter and CPU budget, and the `log` and `cache` imports.
//! A Store lives for exactly one call, so nothing leaks from one call to the next.

use super::adapter_cache::ScopedCache;
use super::bindings::mcgw::adapter::{cache, log};
use super::outbound::OutboundHooks;
use std::sync::Arc;
use wasmtime::ResourceLimiter;
use wasmtime::component::ResourceTable;
use wasmtime_wasi::p2::pipe::MemoryOutputPipe;
use wasmtime_wasi::{WasiCtx, WasiCtxView, WasiView};
use wasmtime_wasi_http::{WasiHttpCtx, WasiHttpCtxView, WasiHttpView};

/// Bytes of stdout/stderr kept per call (for a panic message, say).
const STDIO_CAPTURE: usize = 16 * 1024;
/// Longest log line accepted from an adapter.
const MAX_LOG_LINE: usize = 4096;

/// Memory limiter that remembers when it refused, so a resulting trap can be
/// reported as "memory limit" rather than as a generic crash.
pub struct MemoryLimiter {
    /// Largest linear memory allowed, in bytes.
    pub max_bytes: usize,
    /// Set once a growth beyond the limit was refused.
    pub hit: bool,
}

impl ResourceLimiter for MemoryLimiter {
    fn memory_growing(
        &mut self,
        _current: usize,
        desired: usize,
        _maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        if desired > self.max_bytes {
            self.hit = true;
            return Ok(false);
        }
        Ok(true)
    }

    fn table_growing(
        &mut self,
        _current: usize,
        desired: usize,
        _maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        Ok(desired <= 100_000)
    }
}

/// CPU budget in epoch ticks (see runtime::engine for the tick length).
pub struct CpuBudget {
    /// Ticks the guest may run.
    pub max_ticks: u64,
    /// Ticks observed so far.
    pub used_ticks: u64,
    /// Set when the budget ran out and the guest was stopped.
    pub exceeded: bool,
}

/// The data of one call's Store.
pub struct CallState {
    wasi: WasiCtx,
    table: ResourceTable,
    http: WasiHttpCtx,
    hooks: OutboundHooks,
    /// Memory limit enforcement.
    pub memory: MemoryLimiter,
    /// CPU limit enforcement.
    pub cpu: CpuBudget,
    /// `name@version`, for logs.
    pub adapter: Arc<str>,
    cache: ScopedCache,
    stdout: MemoryOutputPipe,
    stderr: MemoryOutputPipe,
}

impl CallState {
    /// A fresh state: no environment, no arguments, no preopens, no sockets.
    pub fn new(
        adapter: Arc<str>,
        hooks: OutboundHooks,
        cache: ScopedCache,
        memory_bytes: usize,
        cpu_ticks: u64,
    ) -> Self {
        let stdout = MemoryOutputPipe::new(STDIO_CAPTURE);
        let stderr = MemoryOutputPipe::new(STDIO_CAPTURE);
        let wasi = WasiCtx::builder()
            .stdout(stdout.clone())
            .stderr(stderr.clone())
            .allow_tcp(false)
            .allow_udp(false)
            .allow_ip_name_lookup(false)
            .build();
        CallState {
            wasi,
            table: ResourceTable::new(),
            http: WasiHttpCtx::new(),
            hooks,
            memory: MemoryLimiter {
                max_bytes: memory_bytes,
                hit: false,
            },
            cpu: CpuBudget {
                max_ticks: cpu_ticks,
                used_ticks: 0,
                exceeded: false,
            },
            adapter,
            cache,
            stdout,
            stderr,
        }
    }

    /// The WASI random context (for linking the insecure random interfaces).
    pub fn random(&mut self) -> &mut wasmtime_wasi::random::WasiRandomCtx {
        self.wasi.random()
    }

    /// What the guest wrote to stdout and stderr (lossy UTF-8, trimmed).
    pub fn captured_output(&self) -> String {
        let mut s = String::from_utf8_lossy(&self.stdout.contents()).into_owned();
        s.push_str(&String::from_utf8_lossy(&self.stderr.contents()));
        s.trim().to_string()
    }
}

impl WasiView for CallState {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView {
            ctx: &mut self.wasi,
            table: &mut self.table,
        }
    }
}

impl WasiHttpView for CallState {
    fn http(&mut self) -> WasiHttpCtxView<'_> {
        WasiHttpCtxView {
            ctx: &mut self.http,
            table: &mut self.table,
            hooks: &mut self.hooks,
        }
    }
}

impl log::Host for CallState {
    fn emit(&mut self, level: log::Level, message: String) {
        let mut message = message;
        if message.len() > MAX_LOG_LINE {
            let mut cut = MAX_LOG_LINE;
            while !message.is_char_boundary(cut) {
                cut -= 1;
            }
            message.truncate(cut);
        }
        let adapter = &*self.adapter;
        match level {
            log::Level::Trace => tracing::trace!(adapter, "{message}"),
            log::Level::Debug => tracing::debug!(adapter, "{message}"),
            log::Level::Info => tracing::info!(adapter, "{message}"),
            log::Level::Warn => tracing::warn!(adapter, "{message}"),
            log::Level::Error => tracing::error!(adapter, "{message}"),
        }
    }
}

impl cache::Host for CallState {
    fn get(&mut self, key: String) -> Option<Vec<u8>> {
        self.cache.get(&key)
    }
    fn set(&mut self, key: String, value: Vec<u8>, ttl_ms: u32) {
        self.cache.set(key, value, ttl_ms);
    }
    fn remove(&mut self, key: String) {
        self.cache.remove(&key);
    }
}
