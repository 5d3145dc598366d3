//! Mapping a CSP's native state words onto the common status set.

use crate::VmStatus;

/// A table from native state (compared case-insensitively) to common status,
/// in the style of libcloud's `NODE_STATE_MAP`. Unknown words map to `Undefined`.
pub struct StatusTable(pub &'static [(&'static str, VmStatus)]);

impl StatusTable {
    /// The common status of a native state word.
    pub fn map(&self, native: &str) -> VmStatus {
        self.0
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(native))
            .map(|(_, s)| *s)
            .unwrap_or(VmStatus::Undefined)
    }
}
