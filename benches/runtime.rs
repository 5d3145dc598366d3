//! Per-call cost inside the host: a fresh Store, instantiation from the
//! `InstancePre` (pooling allocator), one export call and the drop, for the
//! built-in sim adapter. `cargo bench --bench runtime`.

use criterion::{Criterion, criterion_group, criterion_main};
use mcgw::runtime::{AllowList, Grant, Limits, Runtime, RuntimeConfig};
use std::sync::Arc;

fn per_call(c: &mut Criterion) {
    let rt = tokio::runtime::Runtime::new().expect("tokio");
    let dir = tempfile::tempdir().expect("tempdir");
    let runtime = Runtime::new(&RuntimeConfig {
        compile_cache_dir: Some(dir.path().to_path_buf()),
        ..RuntimeConfig::default()
    })
    .expect("runtime");
    let (_, bytes) = mcgw::adapters::BUILTIN
        .iter()
        .find(|(n, _)| *n == "sim")
        .expect("sim is built in");
    let loaded = rt.block_on(runtime.load(Arc::from(*bytes))).expect("load");
    let grant = Grant {
        label: "sim@bench".into(),
        allow: Arc::new(AllowList::default()),
        limits: Limits::default(),
        cache_scope: "bench".into(),
    };
    c.bench_function("instantiate + describe + drop (sim adapter)", |b| {
        b.to_async(&rt).iter(|| async {
            runtime
                .invoke(&loaded, &grant, async |x, i, s| {
                    x.metadata.load(&mut *s, i)?.call_describe(s).await
                })
                .await
                .expect("describe")
        })
    });
}

criterion_group!(benches, per_call);
criterion_main!(benches);
