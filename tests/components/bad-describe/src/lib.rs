//! An adapter whose `describe` crashes: the smoke call at upload must refuse it.

use mcgw_sdk::{Adapter, AdapterInfo, export_adapter};

struct BadDescribe;

impl Adapter for BadDescribe {
    fn describe() -> AdapterInfo {
        panic!("bad-describe: no metadata today")
    }
}

export_adapter!(BadDescribe);
