//! The one `bindgen!` of the `mcgw:adapter` world (wit/adapter.wit).
//!
//! WASI interfaces are mapped onto wasmtime-wasi's and wasmtime-wasi-http's own
//! bindings, so the host links their implementations unchanged; only the
//! contract's `log` and `cache` imports are implemented here (runtime::call_state).

wasmtime::component::bindgen!({
    path: "wit",
    world: "mcgw:adapter/adapter",
    exports: { default: async },
    // Catalog records go straight into API answers.
    additional_derives: [serde::Serialize],
    with: {
        "wasi:io": wasmtime_wasi::p2::bindings::io,
        "wasi:clocks": wasmtime_wasi::p2::bindings::clocks,
        "wasi:random": wasmtime_wasi::p2::bindings::random,
        "wasi:cli": wasmtime_wasi::p2::bindings::cli,
        "wasi:http": wasmtime_wasi_http::p2::bindings::http,
    },
});

pub use self::exports::mcgw::adapter::metadata::{
    AdapterInfo, Capabilities, ParamScope, ParamSpec,
};
pub use self::mcgw::adapter::types::*;

/// Flags are not covered by `additional_derives`: serialise them as their WIT names.
impl serde::Serialize for Capabilities {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(capability_names(*self))
    }
}

/// Capability flags as kebab-case names, in WIT order.
pub fn capability_names(caps: Capabilities) -> Vec<&'static str> {
    [
        (Capabilities::ZONE_BASED_CONTROL, "zone-based-control"),
        (Capabilities::NATIVE_BATCH_CREATE, "native-batch-create"),
        (Capabilities::TAGS, "tags"),
        (Capabilities::KEYPAIR_IMPORT, "keypair-import"),
        (Capabilities::SUSPEND_RESUME, "suspend-resume"),
        (Capabilities::SINGLE_VNET, "single-vnet"),
        (Capabilities::VNET_CIDR_RULES, "vnet-cidr-rules"),
    ]
    .into_iter()
    .filter(|(flag, _)| caps.contains(*flag))
    .map(|(_, n)| n)
    .collect()
}
