//! Saving the store to a JSON state file and loading it back.
//!
//! Saves happen in a background task, at most every ~250 ms after a change and
//! once more on shutdown, never on the request path. A save serialises under
//! the lock (milliseconds even for thousands of instances) and writes outside
//! it, to a temporary file renamed over the old one, so a crash mid-write
//! leaves the previous state intact.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, bail};
use serde::{Deserialize, Serialize};
use tokio::sync::watch;

use crate::app::App;
use crate::config::{Account, Behaviour};
use crate::store::{PublicIpPool, RegionState, Store};

/// Layout version of the state file.
const VERSION: u32 = 1;
/// Minimum time between two saves.
pub const SAVE_INTERVAL: Duration = Duration::from_millis(250);

#[derive(Serialize)]
struct StateRef<'a> {
    version: u32,
    accounts: Vec<Account>,
    behaviour: &'a Behaviour,
    public_ips: PublicIpPool,
    resources: BTreeMap<&'a str, BTreeMap<&'a str, &'a RegionState>>,
}

#[derive(Deserialize)]
struct StateFile {
    version: u32,
    #[serde(default)]
    accounts: Vec<Account>,
    #[serde(default)]
    behaviour: Behaviour,
    #[serde(default)]
    public_ips: PublicIpPool,
    #[serde(default)]
    resources: HashMap<String, HashMap<String, RegionState>>,
}

/// The state file's bytes for a store: admin-added accounts, behaviour and
/// every non-empty region of every account.
pub fn encode(store: &Store) -> Vec<u8> {
    let accounts = store
        .accounts
        .iter()
        .filter(|(_, a)| a.persisted)
        .map(|(k, a)| Account {
            access_key: k.clone(),
            secret_key: a.secret_key.clone(),
        })
        .collect();
    let resources = store
        .tenants
        .iter()
        .map(|(account, regions)| {
            let regions = regions
                .iter()
                .filter(|(_, rs)| !rs.is_empty())
                .map(|(r, rs)| (r.as_str(), rs))
                .collect::<BTreeMap<_, _>>();
            (account.as_str(), regions)
        })
        .filter(|(_, regions)| !regions.is_empty())
        .collect();
    let state = StateRef {
        version: VERSION,
        accounts,
        behaviour: &store.behaviour,
        public_ips: store.public_ips,
        resources,
    };
    serde_json::to_vec(&state).unwrap_or_default()
}

/// Load a state file; `None` if there is none yet.
pub fn load(path: &Path) -> anyhow::Result<Option<Store>> {
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e).with_context(|| format!("reading {}", path.display())),
    };
    let file: StateFile = serde_json::from_slice(&bytes)
        .with_context(|| format!("{} is not a simulator state file", path.display()))?;
    if file.version != VERSION {
        bail!(
            "{}: unsupported state file version {}",
            path.display(),
            file.version
        );
    }
    let mut store = Store::new(file.behaviour);
    for account in file.accounts {
        store.put_account(account, true);
    }
    store.public_ips = file.public_ips;
    store.tenants = file.resources;
    for rs in store.tenants.values_mut().flat_map(|r| r.values_mut()) {
        rs.rebuild_index();
    }
    Ok(Some(store))
}

/// Write `bytes` to `path` through a temporary file and a rename.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(".tmp");
    let tmp = path.with_file_name(name);
    let mut f = std::fs::File::create(&tmp)?;
    f.write_all(bytes)?;
    f.sync_all()?;
    drop(f);
    std::fs::rename(&tmp, path)
}

/// Save whenever the store changes (debounced), until `stop` fires; then save
/// a last time.
pub async fn run_saver(app: Arc<App>, path: PathBuf, mut stop: watch::Receiver<bool>) {
    let mut saved = app.generation();
    loop {
        tokio::select! {
            _ = app.changed() => {}
            _ = stop.changed() => break,
        }
        tokio::select! {
            _ = tokio::time::sleep(SAVE_INTERVAL) => {}
            _ = stop.changed() => break,
        }
        saved = save(&app, &path, saved).await;
    }
    save(&app, &path, saved).await;
}

/// Save if anything changed since generation `saved`; the generation now saved.
async fn save(app: &Arc<App>, path: &Path, saved: u64) -> u64 {
    let generation = app.generation();
    if generation == saved {
        return saved;
    }
    let bytes = app.read(encode);
    let target = path.to_path_buf();
    match tokio::task::spawn_blocking(move || write_atomic(&target, &bytes)).await {
        Ok(Ok(())) => generation,
        Ok(Err(e)) => {
            tracing::warn!(path = %path.display(), error = %e, "saving the simulator state failed");
            saved
        }
        Err(e) => {
            tracing::warn!(error = %e, "the state saver task failed");
            saved
        }
    }
}
