//! Rust bindings of the `mcgw:adapter` world, generated from `wit/` at build time.
//!
//! Adapter crates normally use the re-exports in the crate root instead.

wit_bindgen::generate!({
    world: "adapter",
    path: "../../wit",
    generate_all,
    pub_export_macro: true,
    export_macro_name: "export_world",
    default_bindings_module: "mcgw_sdk::bindings",
});
