//! Adapters compiled into the binary (built from `components/` by host/build.rs).

/// (registry name, component bytes).
pub const BUILTIN: &[(&str, &[u8])] = &[
    (
        "sim",
        include_bytes!(concat!(env!("MCGW_BUILTIN_DIR"), "/sim.wasm")),
    ),
    (
        "aws",
        include_bytes!(concat!(env!("MCGW_BUILTIN_DIR"), "/aws.wasm")),
    ),
    (
        "openstack",
        include_bytes!(concat!(env!("MCGW_BUILTIN_DIR"), "/openstack.wasm")),
    ),
];
