//! The official OpenStack API samples: the PyPI sdists of nova, neutron-lib
//! and glance (pinned), downloaded once per target directory with
//! `pip download --no-binary :all: --no-deps`, and the files the shape check
//! reads extracted from them.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The sdists the official samples come from, and their top directories.
pub const SDISTS: [&str; 3] = ["nova==34.0.0", "neutron-lib==5.0.1", "glance==33.0.0"];
pub const NOVA_DIR: &str = "nova-34.0.0";
pub const NEUTRON_LIB_DIR: &str = "neutron_lib-5.0.1";
pub const GLANCE_DIR: &str = "glance-33.0.0";
/// (archive, members to extract).
const EXTRACT: [(&str, &[&str]); 3] = [
    (
        "nova-34.0.0.tar.gz",
        &[
            "nova-34.0.0/doc/api_samples",
            "nova-34.0.0/api-ref/source",
            "nova-34.0.0/nova/api/openstack/compute/views",
        ],
    ),
    (
        "neutron_lib-5.0.1.tar.gz",
        &["neutron_lib-5.0.1/api-ref/source/v2"],
    ),
    (
        "glance-33.0.0.tar.gz",
        &[
            "glance-33.0.0/api-ref/source/v2",
            "glance-33.0.0/glance/schema.py",
        ],
    ),
];

/// Download the sdists (once per target dir) and extract the files we read.
pub fn fetch() -> Result<PathBuf, String> {
    let root = Path::new(env!("CARGO_TARGET_TMPDIR")).join("openstack-api-samples");
    let done = root.join(".complete-v1");
    if done.exists() {
        return Ok(root);
    }
    let work = root.join(format!("work-{}", std::process::id()));
    std::fs::create_dir_all(&work).map_err(|e| e.to_string())?;
    let status = Command::new("python3")
        .args([
            "-m",
            "pip",
            "download",
            "--quiet",
            "--no-binary",
            ":all:",
            "--no-deps",
        ])
        .args(SDISTS)
        .arg("-d")
        .arg(&work)
        .status()
        .map_err(|e| format!("running pip download: {e}"))?;
    if !status.success() {
        return Err(format!(
            "pip download {} failed ({status})",
            SDISTS.join(" ")
        ));
    }
    for (archive, members) in EXTRACT {
        let status = Command::new("tar")
            .arg("-xzf")
            .arg(work.join(archive))
            .arg("-C")
            .arg(&work)
            .args(members)
            .status()
            .map_err(|e| format!("running tar: {e}"))?;
        if !status.success() {
            return Err(format!("extracting {archive} failed ({status})"));
        }
    }
    for dir in [NOVA_DIR, NEUTRON_LIB_DIR, GLANCE_DIR] {
        let _ = std::fs::remove_dir_all(root.join(dir));
        std::fs::rename(work.join(dir), root.join(dir)).map_err(|e| e.to_string())?;
    }
    let _ = std::fs::remove_dir_all(&work);
    std::fs::write(&done, SDISTS.join("\n")).map_err(|e| e.to_string())?;
    Ok(root)
}
