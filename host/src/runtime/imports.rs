//! The import policy: what an adapter component may import, checked before linking
//! so that a refusal names the offending import instead of a linker error.
//!
//! Allowed: HTTP (`wasi:http/types`, `wasi:http/outgoing-handler`), what HTTP needs
//! (`wasi:io/*`), time, randomness, stdio (captured into the log) and the contract's
//! own `mcgw:adapter` interfaces of major version 1.
//!
//! Also allowed, but inert: `wasi:cli/environment` (always an empty environment,
//! no arguments, no working directory), `wasi:cli/exit` (traps) and
//! `wasi:cli/terminal-*` (no terminal). Standard toolchains import these even
//! when the program never uses them (Rust's std does, through its panic handler),
//! so refusing them would refuse every ordinary `cargo build --target
//! wasm32-wasip2` adapter while protecting nothing: the host's environment is
//! never visible to a guest.
//!
//! Never linked, so refused at load: `wasi:filesystem/*`, `wasi:sockets/*`, and
//! anything else not listed here.

use super::CallState;
use wasmtime::Engine;
use wasmtime::component::{Component, Linker};
use wasmtime_wasi::cli::{WasiCli, WasiCliView};
use wasmtime_wasi::p2::bindings::cli;

/// Interfaces an adapter may import, without versions.
const ALLOWED: &[&str] = &[
    "wasi:io/error",
    "wasi:io/poll",
    "wasi:io/streams",
    "wasi:clocks/wall-clock",
    "wasi:clocks/monotonic-clock",
    "wasi:random/random",
    "wasi:random/insecure",
    "wasi:random/insecure-seed",
    "wasi:cli/environment",
    "wasi:cli/exit",
    "wasi:cli/terminal-input",
    "wasi:cli/terminal-output",
    "wasi:cli/terminal-stdin",
    "wasi:cli/terminal-stdout",
    "wasi:cli/terminal-stderr",
    "wasi:cli/stdin",
    "wasi:cli/stdout",
    "wasi:cli/stderr",
    "wasi:http/types",
    "wasi:http/outgoing-handler",
    "mcgw:adapter/types",
    "mcgw:adapter/log",
    "mcgw:adapter/cache",
];

/// The contract's major version that this host speaks.
pub const CONTRACT_MAJOR: u64 = 1;

/// Link the inert CLI interfaces (see the module docs) and insecure randomness.
pub fn add_inert_cli(linker: &mut Linker<CallState>) -> wasmtime::Result<()> {
    use wasmtime_wasi::p2::bindings::random;
    use wasmtime_wasi::random::WasiRandom;
    let l = linker;
    cli::environment::add_to_linker::<_, WasiCli>(l, CallState::cli)?;
    cli::exit::add_to_linker::<_, WasiCli>(l, CallState::cli)?;
    cli::terminal_input::add_to_linker::<_, WasiCli>(l, CallState::cli)?;
    cli::terminal_output::add_to_linker::<_, WasiCli>(l, CallState::cli)?;
    cli::terminal_stdin::add_to_linker::<_, WasiCli>(l, CallState::cli)?;
    cli::terminal_stdout::add_to_linker::<_, WasiCli>(l, CallState::cli)?;
    cli::terminal_stderr::add_to_linker::<_, WasiCli>(l, CallState::cli)?;
    random::insecure::add_to_linker::<_, WasiRandom>(l, |t| CallState::random(t))?;
    random::insecure_seed::add_to_linker::<_, WasiRandom>(l, |t| CallState::random(t))?;
    Ok(())
}

/// Interfaces every adapter must export (major version 1).
const REQUIRED_EXPORTS: &[&str] = &[
    "mcgw:adapter/metadata",
    "mcgw:adapter/catalog",
    "mcgw:adapter/network",
    "mcgw:adapter/keypair",
    "mcgw:adapter/compute",
];

/// Check that the component exports the contract's interfaces in a version this
/// host speaks; `Err` says what is missing or of another major version.
pub fn check_exports(engine: &Engine, component: &Component) -> Result<(), String> {
    let ty = component.component_type();
    let exports: Vec<&str> = ty.exports(engine).map(|(name, _)| name).collect();
    let mut problems = Vec::new();
    for required in REQUIRED_EXPORTS {
        let found = exports
            .iter()
            .find(|e| e.split('@').next() == Some(required));
        match found.map(|e| e.split_once('@').map(|(_, v)| semver::Version::parse(v))) {
            None => problems.push(format!("does not export `{required}`")),
            Some(Some(Ok(v))) if v.major == CONTRACT_MAJOR => {}
            Some(Some(Ok(v))) => problems.push(format!(
                "exports `{required}@{v}`, built for contract {}.x; this gateway speaks {CONTRACT_MAJOR}.x",
                v.major
            )),
            Some(_) => problems.push(format!("exports `{required}` without a valid version")),
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems.join("; "))
    }
}

/// Check every import of `component`; `Err` names each refused import and why.
pub fn check(engine: &Engine, component: &Component) -> Result<(), String> {
    let refused: Vec<String> = component
        .component_type()
        .imports(engine)
        .filter_map(|(name, _)| check_one(name).err())
        .collect();
    if refused.is_empty() {
        return Ok(());
    }
    Err(format!(
        "{}; adapters may import only: {}",
        refused.join("; "),
        ALLOWED.join(", ")
    ))
}

fn check_one(name: &str) -> Result<(), String> {
    let (interface, version) = match name.split_once('@') {
        Some((i, v)) => (i, Some(v)),
        None => (name, None),
    };
    if !ALLOWED.contains(&interface) {
        return Err(format!(
            "imports `{name}`, which is not linked for adapters"
        ));
    }
    let version = version.and_then(|v| semver::Version::parse(v).ok());
    if interface.starts_with("mcgw:adapter/") {
        match version {
            Some(v) if v.major == CONTRACT_MAJOR => {}
            Some(v) => {
                return Err(format!(
                    "imports `{name}`: built for contract {v}, this gateway speaks {CONTRACT_MAJOR}.x"
                ));
            }
            None => return Err(format!("imports `{name}` without a contract version")),
        }
    } else if !matches!(version, Some(v) if v.major == 0 && v.minor == 2) {
        return Err(format!(
            "imports `{name}`: only WASI 0.2.x interfaces are supported"
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::check_one;

    #[test]
    fn policy() {
        assert!(check_one("wasi:http/outgoing-handler@0.2.12").is_ok());
        assert!(check_one("wasi:http/types@0.2.0").is_ok());
        assert!(check_one("mcgw:adapter/cache@1.4.0").is_ok());
        assert!(
            check_one("mcgw:adapter/cache@2.0.0")
                .unwrap_err()
                .contains("contract 2.0.0")
        );
        assert!(
            check_one("wasi:filesystem/types@0.2.12")
                .unwrap_err()
                .contains("not linked")
        );
        assert!(check_one("wasi:cli/environment@0.2.12").is_ok());
        assert!(check_one("wasi:filesystem/preopens@0.2.6").is_err());
        assert!(check_one("wasi:sockets/tcp@0.2.12").is_err());
        assert!(check_one("wasi:http/types@0.3.0").is_err());
    }
}
