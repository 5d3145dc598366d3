//! Compile each component once: in memory per content digest (racing loaders share
//! one compilation), and on disk as a precompiled artifact keyed by the content
//! digest and the engine's compatibility hash, so a restart skips Cranelift.

use anyhow::{Context, Result};
use sha2::{Digest, Sha256};
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use wasmtime::Engine;
use wasmtime::component::Component;

/// Hex SHA-256 of a component's bytes: its identity everywhere in mcgw.
pub fn digest(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// The compile cache.
#[derive(Clone)]
pub struct Artifacts {
    engine: Engine,
    dir: Option<PathBuf>,
    engine_key: String,
    compiled: moka::sync::Cache<String, Component>,
}

impl Artifacts {
    /// A cache writing precompiled artifacts into `dir` (none: memory only).
    pub fn new(engine: &Engine, dir: Option<PathBuf>) -> Result<Self> {
        if let Some(d) = &dir {
            std::fs::create_dir_all(d)
                .with_context(|| format!("creating the compile cache {}", d.display()))?;
        }
        let mut h = std::collections::hash_map::DefaultHasher::new();
        engine.precompile_compatibility_hash().hash(&mut h);
        Ok(Artifacts {
            engine: engine.clone(),
            dir,
            engine_key: format!("{:016x}", h.finish()),
            compiled: moka::sync::Cache::new(256),
        })
    }

    /// The compiled component for `bytes`. Blocking (may run Cranelift): call it
    /// from a blocking thread.
    pub fn compile(&self, bytes: &[u8]) -> Result<Component> {
        let key = digest(bytes);
        self.compiled
            .try_get_with(key.clone(), || self.load_or_compile(&key, bytes))
            .map_err(|e: Arc<anyhow::Error>| anyhow::anyhow!("{e:#}"))
    }

    fn load_or_compile(&self, key: &str, bytes: &[u8]) -> Result<Component> {
        let path = self.path_for(key);
        if let Some(p) = &path
            && p.exists()
        {
            // SAFETY: the file was written by `serialize` of this same engine
            // configuration (the name carries its compatibility hash) into our
            // own data directory; deserialize still checks the header and we fall
            // back to compiling when it refuses.
            match unsafe { Component::deserialize_file(&self.engine, p) } {
                Ok(c) => return Ok(c),
                Err(e) => {
                    tracing::warn!(path = %p.display(), "ignoring unusable precompiled artifact: {e:#}")
                }
            }
        }
        let started = std::time::Instant::now();
        let component = Component::new(&self.engine, bytes)
            .map_err(|e| anyhow::Error::from(e).context("not a valid component"))?;
        tracing::info!(digest = %&key[..12], ms = started.elapsed().as_millis() as u64, "compiled component");
        if let Some(p) = &path
            && let Err(e) = write_atomically(p, &component.serialize()?)
        {
            tracing::warn!(path = %p.display(), "could not store precompiled artifact: {e:#}");
        }
        Ok(component)
    }

    fn path_for(&self, key: &str) -> Option<PathBuf> {
        self.dir
            .as_ref()
            .map(|d| d.join(format!("{key}-{}.cwasm", self.engine_key)))
    }
}

/// Write to a temporary file in the same directory, then rename: readers never
/// see a half-written artifact, even with several gateways sharing the cache.
fn write_atomically(path: &Path, data: &[u8]) -> Result<()> {
    let tmp = path.with_extension(format!("tmp{}", std::process::id()));
    std::fs::write(&tmp, data)?;
    std::fs::rename(&tmp, path)?;
    Ok(())
}
