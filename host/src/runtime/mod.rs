//! The Wasm component runtime.
//!
//! One [`wasmtime::Engine`] (pooling allocator, epoch interruption, async), one
//! [`Linker`] holding exactly the imports adapters may use, components compiled
//! once and cached on disk, one `InstancePre` per loaded component, and a fresh
//! `Store` per call with a memory limit, a CPU budget and a wall-clock deadline.
//! Callers never see a Store: `adapters::client` wraps [`Runtime::invoke`].

mod adapter_cache;
pub mod allowlist;
mod artifacts;
pub mod bindings;
mod call_state;
mod exports;
mod imports;
mod outbound;

pub use adapter_cache::AdapterCache;
pub use allowlist::AllowList;
pub use artifacts::digest;
pub use call_state::CallState;
pub use exports::Exports;
pub use imports::CONTRACT_MAJOR;

use anyhow::Result;
use bindings::{AdapterInfo, AdapterPre};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Semaphore;
use wasmtime::component::{HasSelf, Linker};
use wasmtime::component::{Instance, InstancePre};
use wasmtime::{Config, Engine, InstanceAllocationStrategy, PoolingAllocationConfig, Store};

/// Length of one epoch tick: the granularity of CPU budgets and of yielding.
pub const EPOCH_TICK: Duration = Duration::from_millis(10);

/// Engine-wide settings.
#[derive(Debug, Clone)]
pub struct RuntimeConfig {
    /// Where precompiled artifacts are kept (none: compile at every start).
    pub compile_cache_dir: Option<PathBuf>,
    /// Adapter instances alive at once; further calls wait for a slot.
    pub max_concurrent_calls: u32,
    /// Upper bound of any adapter's memory limit (sizes the pool's slots).
    pub max_memory_bytes: usize,
    /// Total bytes the adapters' cache may hold.
    pub cache_bytes: u64,
    /// Bytes of each linear memory reset with `memset` (only the dirty pages,
    /// where the kernel can say which) instead of being returned to the OS:
    /// a reused slot then takes no page faults.
    pub keep_resident_bytes: usize,
    /// Slots returned to the OS per `madvise` batch (fewer TLB shootdowns).
    pub decommit_batch: usize,
}

impl Default for RuntimeConfig {
    fn default() -> Self {
        RuntimeConfig {
            compile_cache_dir: None,
            max_concurrent_calls: 256,
            max_memory_bytes: 512 << 20,
            cache_bytes: 64 << 20,
            keep_resident_bytes: 8 << 20,
            decommit_batch: 32,
        }
    }
}

/// Limits of one adapter's calls.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Limits {
    /// Largest linear memory, bytes.
    pub memory_bytes: usize,
    /// Longest time running guest code per call.
    pub cpu: Duration,
    /// Longest time for a whole call, waiting on the CSP included.
    pub call_timeout: Duration,
    /// Longest wait for one outbound response to start.
    pub outbound_timeout: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            memory_bytes: 128 << 20,
            cpu: Duration::from_secs(5),
            call_timeout: Duration::from_secs(120),
            outbound_timeout: Duration::from_secs(60),
        }
    }
}

/// Why a component could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// Not a WebAssembly component (or corrupt).
    #[error("not a valid WebAssembly component: {0}")]
    Invalid(String),
    /// Imports outside the allowed set.
    #[error("the component {0}")]
    ForbiddenImport(String),
    /// Does not implement the contract's world.
    #[error("the component does not implement the mcgw:adapter {major}.x world: {detail}", major = CONTRACT_MAJOR)]
    Incompatible {
        /// What the linker said.
        detail: String,
    },
    /// `metadata.describe` failed or returned nonsense.
    #[error("the component's metadata is unusable: {0}")]
    Metadata(String),
}

/// Why a call failed inside the host or the guest (not a CSP answer).
#[derive(Debug, thiserror::Error)]
pub enum CallError {
    /// The guest crashed (panic, unreachable, out-of-bounds, stack overflow...).
    #[error("the adapter crashed: {0}")]
    Trap(String),
    /// The guest tried to grow its memory beyond its limit.
    #[error("the adapter exceeded its memory limit of {0} MiB")]
    MemoryLimit(usize),
    /// The guest ran out of CPU budget.
    #[error("the adapter exceeded its CPU budget of {0} ms")]
    CpuLimit(u128),
    /// The whole call took longer than allowed.
    #[error("the adapter call did not finish within {0} ms")]
    Timeout(u128),
    /// Instantiation failed (pool exhausted, ...).
    #[error("the adapter could not be started: {0}")]
    Instantiate(String),
}

/// A compiled, linked, validated component, ready to instantiate.
pub struct Loaded {
    /// SHA-256 of its bytes.
    pub digest: String,
    /// Its self-description.
    pub info: AdapterInfo,
    /// Its declared outbound hosts, parsed.
    pub declared_hosts: AllowList,
    pre: InstancePre<CallState>,
    exports: Exports,
}

/// Everything a call is allowed: derived by the registry from the adapter, its
/// limits, and the connection (endpoint, credential).
pub struct Grant {
    /// `name@version`, for logs.
    pub label: Arc<str>,
    /// Hosts it may call.
    pub allow: Arc<AllowList>,
    /// Its limits.
    pub limits: Limits,
    /// Cache partition: adapter name and credential identity.
    pub cache_scope: Arc<str>,
}

/// The engine, linker and shared host services.
pub struct Runtime {
    engine: Engine,
    linker: Linker<CallState>,
    artifacts: artifacts::Artifacts,
    client: reqwest::Client,
    cache: AdapterCache,
    slots: Arc<Semaphore>,
}

impl Runtime {
    /// Build the engine and linker and start the epoch ticker.
    pub fn new(config: &RuntimeConfig) -> Result<Runtime> {
        let mut pool = PoolingAllocationConfig::default();
        let slots = config.max_concurrent_calls;
        pool.total_component_instances(slots)
            .total_core_instances(slots * 4)
            .total_memories(slots * 4)
            .total_tables(slots * 4)
            .total_stacks(slots)
            .max_memory_size(config.max_memory_bytes)
            // Every call gets a fresh instance, so slot reuse is the hot path:
            // reset the pages a call dirtied in place (PAGEMAP_SCAN on Linux
            // 6.7+ tells which) rather than unmapping and faulting them back in.
            .linear_memory_keep_resident(config.keep_resident_bytes)
            .table_keep_resident(64 << 10)
            .pagemap_scan(wasmtime::Enabled::Auto)
            .decommit_batch_size(config.decommit_batch.max(1));
        let mut cfg = Config::new();
        cfg.epoch_interruption(true)
            // Yielding on every tick keeps a spinning adapter from starving
            // the runtime threads that serve other requests.
            .allocation_strategy(InstanceAllocationStrategy::Pooling(pool))
            .wasm_component_model(true)
            .cranelift_opt_level(wasmtime::OptLevel::Speed)
            .parallel_compilation(true);
        let engine = Engine::new(&cfg)
            .map_err(|e| anyhow::Error::from(e).context("creating the Wasm engine"))?;
        start_epoch_ticker(&engine);

        let mut linker: Linker<CallState> = Linker::new(&engine);
        wasmtime_wasi::p2::add_to_linker_proxy_interfaces_async(&mut linker)?;
        wasmtime_wasi_http::p2::add_only_http_to_linker_async(&mut linker)?;
        imports::add_inert_cli(&mut linker)?;
        bindings::mcgw::adapter::log::add_to_linker::<_, HasSelf<CallState>>(&mut linker, |s| s)?;
        bindings::mcgw::adapter::cache::add_to_linker::<_, HasSelf<CallState>>(&mut linker, |s| s)?;

        Ok(Runtime {
            artifacts: artifacts::Artifacts::new(&engine, config.compile_cache_dir.clone())?,
            engine,
            linker,
            client: outbound::shared_client(),
            cache: AdapterCache::new(config.cache_bytes),
            slots: Arc::new(Semaphore::new(slots as usize)),
        })
    }

    /// Compile, check imports, link, and smoke-call `describe` (with no network).
    pub async fn load(&self, bytes: Arc<[u8]>) -> Result<Loaded, LoadError> {
        let artifacts = self.artifacts.clone();
        let digest = digest(&bytes);
        let component = tokio::task::spawn_blocking(move || artifacts.compile(&bytes))
            .await
            .map_err(|e| LoadError::Invalid(format!("compiler task failed: {e}")))?
            .map_err(|e| LoadError::Invalid(format!("{e:#}")))?;
        imports::check_exports(&self.engine, &component)
            .map_err(|detail| LoadError::Incompatible { detail })?;
        imports::check(&self.engine, &component).map_err(LoadError::ForbiddenImport)?;
        let pre = self
            .linker
            .instantiate_pre(&component)
            .map_err(|e| LoadError::Incompatible {
                detail: format!("{e:#}"),
            })?;
        // Type-check the whole world once, at load; calls then load only the
        // interface they use.
        let incompatible = |e: wasmtime::Error| LoadError::Incompatible {
            detail: format!("{e:#}"),
        };
        AdapterPre::new(pre.clone()).map_err(incompatible)?;
        let exports = Exports::new(&pre).map_err(incompatible)?;
        let probe = Grant {
            label: format!("component {}", &digest[..12]).into(),
            allow: Arc::new(AllowList::default()),
            limits: Limits {
                call_timeout: Duration::from_secs(10),
                ..Limits::default()
            },
            cache_scope: format!("probe\0{digest}").into(),
        };
        let info = self
            .invoke_pre(&pre, &exports, &probe, async |x, i, s| {
                x.metadata.load(&mut *s, i)?.call_describe(s).await
            })
            .await
            .map_err(|e| LoadError::Metadata(format!("describe() failed: {e}")))?;
        let declared_hosts = AllowList::parse(info.outbound_hosts.iter().map(String::as_str))
            .map_err(LoadError::Metadata)?;
        Ok(Loaded {
            digest,
            info,
            declared_hosts,
            pre,
            exports,
        })
    }

    /// Run `f` against a fresh instance of `loaded`, within the grant's limits.
    pub async fn invoke<R, F>(&self, loaded: &Loaded, grant: &Grant, f: F) -> Result<R, CallError>
    where
        F: AsyncFnOnce(&Exports, &Instance, &mut Store<CallState>) -> wasmtime::Result<R>,
    {
        self.invoke_pre(&loaded.pre, &loaded.exports, grant, f)
            .await
    }

    async fn invoke_pre<R, F>(
        &self,
        pre: &InstancePre<CallState>,
        exports: &Exports,
        grant: &Grant,
        f: F,
    ) -> Result<R, CallError>
    where
        F: AsyncFnOnce(&Exports, &Instance, &mut Store<CallState>) -> wasmtime::Result<R>,
    {
        let _slot = self
            .slots
            .acquire()
            .await
            .map_err(|_| CallError::Instantiate("the runtime is shutting down".into()))?;
        let limits = grant.limits;
        let hooks = outbound::OutboundHooks {
            adapter: grant.label.clone(),
            allow: grant.allow.clone(),
            timeout: limits.outbound_timeout,
            client: self.client.clone(),
        };
        let cpu_ticks = (limits.cpu.as_millis() / EPOCH_TICK.as_millis()).max(1) as u64;
        let state = CallState::new(
            grant.label.clone(),
            hooks,
            self.cache.scoped(grant.cache_scope.clone()),
            limits.memory_bytes,
            cpu_ticks,
        );
        let mut store = Store::new(&self.engine, state);
        store.limiter(|s| &mut s.memory);
        store.set_epoch_deadline(1);
        store.epoch_deadline_callback(|mut ctx| {
            let cpu = &mut ctx.data_mut().cpu;
            cpu.used_ticks += 1;
            if cpu.used_ticks > cpu.max_ticks {
                cpu.exceeded = true;
                return Err(wasmtime::format_err!("CPU budget exhausted"));
            }
            Ok(wasmtime::UpdateDeadline::Yield(1))
        });

        let run = async {
            let instance = pre
                .instantiate_async(&mut store)
                .await
                .map_err(|e| CallError::Instantiate(format!("{e:#}")))?;
            f(exports, &instance, &mut store).await.map_err(|trap| {
                let data = store.data();
                if data.memory.hit {
                    CallError::MemoryLimit(limits.memory_bytes >> 20)
                } else if data.cpu.exceeded {
                    CallError::CpuLimit(limits.cpu.as_millis())
                } else {
                    CallError::Trap(trap_message(&trap))
                }
            })
        };
        let result = match tokio::time::timeout(limits.call_timeout, run).await {
            Ok(r) => r,
            Err(_) => Err(CallError::Timeout(limits.call_timeout.as_millis())),
        };
        let output = store.data().captured_output();
        if let Err(e) = &result {
            tracing::warn!(adapter = %grant.label, output = %output, "adapter call failed: {e}");
        } else if !output.is_empty() {
            tracing::debug!(adapter = %grant.label, output = %output, "adapter wrote to stdio");
        }
        result
    }
}

/// The first line of a trap plus its Wasm backtrace frames, if any.
fn trap_message(e: &wasmtime::Error) -> String {
    let mut msg = match e.downcast_ref::<wasmtime::Trap>() {
        Some(t) => t.to_string(),
        None => e.to_string(),
    };
    if let Some(bt) = e.downcast_ref::<wasmtime::WasmBacktrace>() {
        let frames: Vec<String> = bt
            .frames()
            .iter()
            .take(4)
            .map(|f| f.func_name().unwrap_or("?").to_string())
            .collect();
        if !frames.is_empty() {
            msg.push_str(&format!(" (in {})", frames.join(" < ")));
        }
    }
    msg
}

/// Advance the engine's epoch every tick, for as long as the engine lives.
fn start_epoch_ticker(engine: &Engine) {
    let weak = engine.weak();
    std::thread::Builder::new()
        .name("mcgw-epoch".into())
        .spawn(move || {
            while let Some(engine) = weak.upgrade() {
                engine.increment_epoch();
                drop(engine);
                std::thread::sleep(EPOCH_TICK);
            }
        })
        .expect("spawning the epoch ticker thread");
}
