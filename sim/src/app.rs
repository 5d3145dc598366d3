//! The state shared by every request: the store behind one mutex, the catalog
//! and the counters, plus the change signal the background saver waits on.
//!
//! One mutex is enough: every handler holds it for microseconds and never
//! across an `.await`, and writing the state file happens outside it.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard};

use tokio::sync::Notify;

use crate::catalog::SimCatalog;
use crate::stats::Stats;
use crate::store::Store;

/// Shared state of a running simulator.
pub struct App {
    store: Mutex<Store>,
    pub catalog: SimCatalog,
    pub stats: Stats,
    /// Bumped by every write; the saver compares it with what it last wrote.
    generation: AtomicU64,
    changed: Notify,
}

impl App {
    pub fn new(store: Store, catalog: SimCatalog) -> App {
        App {
            store: Mutex::new(store),
            catalog,
            stats: Stats::default(),
            generation: AtomicU64::new(0),
            changed: Notify::new(),
        }
    }

    /// A panic elsewhere must not take the whole simulator down with a
    /// poisoned lock; the store has no invariant a half-done write can break
    /// badly enough to matter for a simulator.
    fn lock(&self) -> MutexGuard<'_, Store> {
        self.store.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Look at the store.
    pub fn read<R>(&self, f: impl FnOnce(&Store) -> R) -> R {
        f(&self.lock())
    }

    /// Change the store, and tell the saver there is something to save.
    pub fn write<R>(&self, f: impl FnOnce(&mut Store) -> R) -> R {
        let r = f(&mut self.lock());
        self.mark_changed();
        r
    }

    /// Change the store only if `f` says it changed something.
    pub fn write_if<R>(&self, f: impl FnOnce(&mut Store) -> (R, bool)) -> R {
        let (r, changed) = f(&mut self.lock());
        if changed {
            self.mark_changed();
        }
        r
    }

    fn mark_changed(&self) {
        self.generation.fetch_add(1, Ordering::SeqCst);
        self.changed.notify_one();
    }

    /// The current change counter.
    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::SeqCst)
    }

    /// Wait until something changes (returns at once if a change happened
    /// since the last call).
    pub async fn changed(&self) {
        self.changed.notified().await
    }
}
