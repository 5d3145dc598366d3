//! Persistent state in one SQLite database in the data directory.
//!
//! One connection behind a mutex, used from blocking threads: SQLite serialises
//! writers anyway, and the gateway's writes are small. Records are stored as JSON
//! documents next to the columns that queries need, so the schema stays small
//! while the model evolves; `schema.rs` holds the migrations.

mod adapters;
mod credentials;
mod mcis;
mod records;
mod schema;
mod seal;
mod vms;

pub use adapters::{AdapterState, StoredVersion};
pub use credentials::CredentialSecrets;
pub use records::{Kind, Reference};
pub use vms::now_ms;

use crate::error::{Error, Result};
use anyhow::Context;
use std::path::Path;
use std::sync::{Arc, Mutex};

/// The gateway's database.
#[derive(Clone)]
pub struct Store {
    conn: Arc<Mutex<rusqlite::Connection>>,
    sealer: Arc<seal::Sealer>,
}

impl Store {
    /// Open (creating and migrating as needed) `db_path`; secrets are sealed with
    /// the key in `key_path`, created on first use with mode 0600.
    pub fn open(db_path: &Path, key_path: &Path) -> anyhow::Result<Store> {
        let mut conn = rusqlite::Connection::open(db_path)
            .with_context(|| format!("opening the database {}", db_path.display()))?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        schema::migrate(&mut conn)?;
        Ok(Store {
            conn: Arc::new(Mutex::new(conn)),
            sealer: Arc::new(seal::Sealer::load_or_create(key_path)?),
        })
    }

    /// Run `f` with the connection on a blocking thread.
    pub async fn run<R, F>(&self, f: F) -> Result<R>
    where
        R: Send + 'static,
        F: FnOnce(&mut rusqlite::Connection) -> Result<R> + Send + 'static,
    {
        let conn = self.conn.clone();
        tokio::task::spawn_blocking(move || {
            let mut guard = conn
                .lock()
                .map_err(|_| Error::internal("the database lock is poisoned"))?;
            f(&mut guard)
        })
        .await
        .map_err(|e| Error::internal(format!("database task failed: {e}")))?
    }
}

impl Store {
    /// Run a short read (a point lookup) right here when the connection is
    /// free, skipping the hand-off to a blocking thread that dominates such a
    /// read's cost; when the connection is busy, wait on a blocking thread.
    pub async fn read<R, F>(&self, f: F) -> Result<R>
    where
        R: Send + 'static,
        F: FnOnce(&mut rusqlite::Connection) -> Result<R> + Send + 'static,
    {
        if let Ok(mut guard) = self.conn.try_lock() {
            return f(&mut guard);
        }
        self.run(f).await
    }
}

/// Map a UNIQUE/PRIMARY KEY violation to AlreadyExists with `what`.
pub(crate) fn unique_violation(e: rusqlite::Error, what: impl FnOnce() -> String) -> Error {
    match &e {
        rusqlite::Error::SqliteFailure(f, _)
            if f.code == rusqlite::ErrorCode::ConstraintViolation =>
        {
            Error::already_exists(what())
        }
        _ => e.into(),
    }
}
