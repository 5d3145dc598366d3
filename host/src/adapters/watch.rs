//! Adapter directories: every `*.wasm` in them is registered at start, and the
//! directories are polled so that dropping a new (or changed) file in registers
//! it while the gateway runs. Refusals are logged with their reason.

use super::{Registry, Source};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

/// What was seen of a file last time: changes mean "register again".
type Seen = HashMap<PathBuf, (SystemTime, u64)>;

/// Register what is in `dirs` now, then keep polling every `interval` until
/// `stop` turns true (a zero interval means: no polling).
pub async fn load_and_watch(
    registry: Arc<Registry>,
    dirs: Vec<PathBuf>,
    interval: Duration,
    mut stop: tokio::sync::watch::Receiver<bool>,
) -> anyhow::Result<()> {
    let mut seen = Seen::new();
    for dir in &dirs {
        anyhow::ensure!(
            dir.is_dir(),
            "the adapter directory {} does not exist",
            dir.display()
        );
        scan(&registry, dir, &mut seen).await;
    }
    if interval.is_zero() || dirs.is_empty() {
        return Ok(());
    }
    tokio::spawn(async move {
        loop {
            tokio::select! {
                _ = tokio::time::sleep(interval) => {}
                _ = stop.wait_for(|s| *s) => return,
            }
            for dir in &dirs {
                scan(&registry, dir, &mut seen).await;
            }
        }
    });
    Ok(())
}

async fn scan(registry: &Registry, dir: &Path, seen: &mut Seen) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut files: Vec<(PathBuf, (SystemTime, u64))> = entries
        .filter_map(|e| e.ok())
        .filter(|e| e.path().extension().is_some_and(|x| x == "wasm"))
        .filter_map(|e| {
            let m = e.metadata().ok()?;
            Some((e.path(), (m.modified().ok()?, m.len())))
        })
        .collect();
    files.sort();
    for (path, stamp) in files {
        if seen.get(&path) == Some(&stamp) {
            continue;
        }
        seen.insert(path.clone(), stamp);
        let bytes = match std::fs::read(&path) {
            Ok(b) => b,
            Err(e) => {
                tracing::warn!(file = %path.display(), "cannot read adapter file: {e}");
                continue;
            }
        };
        match registry
            .register(Arc::from(bytes), Source::Directory, false, None)
            .await
        {
            Ok(a) => tracing::info!(file = %path.display(), adapter = %a.label, "loaded adapter"),
            Err(e) => tracing::error!(file = %path.display(), "adapter refused: {}", e.message),
        }
    }
}
