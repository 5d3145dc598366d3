//! An adapter that tries to open a TCP socket itself: it imports
//! `wasi:sockets`, which the host does not link, so it must be refused at load.

use mcgw_sdk::{
    Adapter, AdapterInfo, CallContext, Capabilities, RegionInfo, Result, export_adapter,
};

struct OpensSocket;

impl Adapter for OpensSocket {
    fn describe() -> AdapterInfo {
        AdapterInfo {
            name: "opens-socket".into(),
            csp: "TEST".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            description: "Test adapter importing wasi:sockets".into(),
            capabilities: Capabilities::empty(),
            parameters: vec![],
            outbound_hosts: vec![],
        }
    }

    fn list_regions(_ctx: CallContext) -> Result<Vec<RegionInfo>> {
        let connected = std::net::TcpStream::connect("127.0.0.1:22").is_ok();
        Ok(vec![RegionInfo {
            name: connected.to_string(),
            display_name: String::new(),
            location: None,
            zones: vec![],
        }])
    }
}

export_adapter!(OpensSocket);
