//! Compiles the guest workspaces to wasm32-wasip2 components as part of the normal build.
//!
//! - `components/` (the shipped adapters) are embedded into the `mcgw` binary;
//! - `tests/components/` (hostile and test-only components) are only exposed to the
//!   integration tests through `MCGW_TEST_COMPONENTS_DIR`;
//! - `examples/template-adapter` (the starting point for adapter authors) is
//!   exposed to the tests through `MCGW_TEMPLATE_COMPONENT`.
//!
//! Guests are built with a separate target directory (`target/wasm`) so the nested
//! cargo never waits on the outer build's lock, and always in release mode: they are
//! small, and an optimised component is what the gateway runs.

use std::env;
use std::path::{Path, PathBuf};
use std::process::Command;

const TARGET: &str = "wasm32-wasip2";

/// Shipped adapters: (crate name in components/, registry name).
const ADAPTERS: &[(&str, &str)] = &[
    ("mcgw-adapter-sim", "sim"),
    ("mcgw-adapter-aws", "aws"),
    ("mcgw-adapter-openstack", "openstack"),
];

fn main() {
    let root = PathBuf::from(env::var("CARGO_MANIFEST_DIR").unwrap());
    let out = PathBuf::from(env::var("OUT_DIR").unwrap());
    let wasm_target_dir = root.join("target").join("wasm");

    for dir in [
        "wit",
        "components",
        "tests/components",
        "examples/template-adapter",
    ] {
        println!("cargo:rerun-if-changed={}", root.join(dir).display());
    }

    ensure_target_installed();

    let built = build_workspace(&root.join("components"), &wasm_target_dir);
    for (krate, name) in ADAPTERS {
        let file = built.join(format!("{}.wasm", krate.replace('-', "_")));
        let dest = out.join(format!("{name}.wasm"));
        std::fs::copy(&file, &dest)
            .unwrap_or_else(|e| panic!("copying {} to {}: {e}", file.display(), dest.display()));
    }

    let test_built = build_workspace(&root.join("tests").join("components"), &wasm_target_dir);
    println!(
        "cargo:rustc-env=MCGW_TEST_COMPONENTS_DIR={}",
        test_built.display()
    );
    println!("cargo:rustc-env=MCGW_BUILTIN_DIR={}", out.display());

    // The template adapter for authors: built so the tests can prove it passes
    // the conformance kit.
    let template = build_workspace(
        &root.join("examples").join("template-adapter"),
        &wasm_target_dir,
    );
    println!(
        "cargo:rustc-env=MCGW_TEMPLATE_COMPONENT={}",
        template.join("template_adapter.wasm").display()
    );
}

/// `cargo build --release --target wasm32-wasip2` in `workspace`; returns the output dir.
fn build_workspace(workspace: &Path, target_dir: &Path) -> PathBuf {
    let cargo = env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let mut cmd = Command::new(cargo);
    cmd.current_dir(workspace)
        .args(["build", "--release", "--locked", "--target", TARGET])
        .arg("--target-dir")
        .arg(target_dir);
    // The outer build's settings are for the host target, not for guests.
    for var in [
        "RUSTFLAGS",
        "CARGO_ENCODED_RUSTFLAGS",
        "CARGO_TARGET_DIR",
        "CARGO_BUILD_TARGET",
        "CARGO_BUILD_RUSTFLAGS",
        "RUSTC_WRAPPER",
        "RUSTC_WORKSPACE_WRAPPER",
        "CLIPPY_ARGS",
        "CARGO_PRIMARY_PACKAGE",
        "CARGO_MANIFEST_DIR",
        "CARGO_MANIFEST_PATH",
        "CARGO_PROFILE_RELEASE_DEBUG",
        "CARGO_PROFILE_DEV_DEBUG",
    ] {
        cmd.env_remove(var);
    }
    let status = cmd
        .status()
        .unwrap_or_else(|e| panic!("running cargo for {}: {e}", workspace.display()));
    if !status.success() {
        panic!(
            "building the guest components in {} failed (see the cargo output above)",
            workspace.display()
        );
    }
    target_dir.join(TARGET).join("release")
}

/// rust-toolchain.toml names the target, but rustup only installs it on its own when
/// auto-install is on; add it here so a fresh machine builds with one command.
fn ensure_target_installed() {
    let rustc = env::var("RUSTC").unwrap_or_else(|_| "rustc".into());
    let sysroot = Command::new(&rustc)
        .args(["--print", "sysroot"])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| PathBuf::from(String::from_utf8_lossy(&o.stdout).trim()));
    let installed = sysroot
        .as_ref()
        .map(|s| s.join("lib/rustlib").join(TARGET).exists())
        .unwrap_or(false);
    if installed {
        return;
    }
    println!("cargo:warning=installing the {TARGET} target with rustup (needed for adapters)");
    let mut cmd = Command::new("rustup");
    cmd.args(["target", "add", TARGET]);
    if let Ok(toolchain) = env::var("RUSTUP_TOOLCHAIN") {
        cmd.args(["--toolchain", &toolchain]);
    }
    match cmd.status() {
        Ok(s) if s.success() => {}
        _ => panic!(
            "the {TARGET} target is not installed and `rustup target add {TARGET}` failed; \
             install it and build again"
        ),
    }
}
