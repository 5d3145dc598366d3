//! VMs: create (returns at once with Creating), read (refreshed from the CSP),
//! lifecycle actions and delete.
//!
//! The record is written before the CSP is asked to create anything, and every
//! VM carries `mcgw-ns`/`mcgw-name` tags at the CSP: if the gateway dies between
//! the two, the next read finds the VM by its tags and adopts it.

use super::{Gateway, kvs, tags};
use crate::api::dto::VmReq;
use crate::error::{Code, Error, Result};
use crate::model::{
    Keypair, SecurityGroup, Vm, VmAction, VmStatus, Vnet, now_rfc3339, validate_name,
};
use crate::runtime::bindings::{self as b, ParamScope};
use crate::store::Kind;
use std::collections::BTreeMap;
use std::time::Duration;

/// Prefix of the error a failed status refresh leaves on a VM.
pub(crate) const REFRESH_FAILED: &str = "status refresh failed: ";

/// A successful refresh clears the error a failed one left (not others, such
/// as a refused action's).
pub(crate) fn clear_refresh_error(v: &mut Vm) {
    if v.last_error
        .as_deref()
        .is_some_and(|e| e.starts_with(REFRESH_FAILED))
    {
        v.last_error = None;
    }
}

/// A change to a VM's row, applied to the row as it is when written.
pub(crate) type VmChange = Box<dyn FnOnce(&mut Vm) + Send>;

/// What a status refresh learned from the CSP.
enum Observed {
    Info(Box<b::VmInfo>),
    Gone,
    Adopted(Box<Vm>),
}

/// How long a record may stay without a CSP id before a read gives up on it.
const ORPHAN_RECORD_GRACE: Duration = Duration::from_secs(600);

/// Common status of a contract status.
pub fn status_of(s: b::VmStatus) -> VmStatus {
    match s {
        b::VmStatus::Creating => VmStatus::Creating,
        b::VmStatus::Running => VmStatus::Running,
        b::VmStatus::Suspending => VmStatus::Suspending,
        b::VmStatus::Suspended => VmStatus::Suspended,
        b::VmStatus::Resuming => VmStatus::Resuming,
        b::VmStatus::Rebooting => VmStatus::Rebooting,
        b::VmStatus::Terminating => VmStatus::Terminating,
        b::VmStatus::Terminated => VmStatus::Terminated,
        b::VmStatus::Failed => VmStatus::Failed,
        b::VmStatus::Undefined => VmStatus::Undefined,
    }
}

/// Copy what the CSP reports into the record.
pub(crate) fn apply_info(vm: &mut Vm, info: &b::VmInfo) {
    vm.csp_id = info.id.clone();
    set_status(vm, status_of(info.status), &info.native_status);
    vm.zone = info.zone.clone().or(vm.zone.take());
    vm.public_ip = info.public_ip.clone();
    vm.private_ip = info.private_ip.clone();
    vm.ssh_access_point = info.ssh_access_point.clone();
}

pub(crate) fn set_status(vm: &mut Vm, status: VmStatus, native: &str) {
    if vm.status != status || vm.native_status != native {
        vm.updated_at = now_rfc3339();
    }
    vm.status = status;
    vm.native_status = native.to_string();
    if vm.target_status == Some(status) || status == VmStatus::Failed || status.is_terminal() {
        vm.target_status = None;
        vm.target_action = None;
    }
}

impl Gateway {
    /// Create a VM; answers once the CSP accepted it (status Creating).
    pub async fn create_vm(&self, ns: &str, req: VmReq) -> Result<Vm> {
        self.require_ns(ns).await?;
        validate_name("name", &req.name)?;
        for (field, value) in [("spec", &req.spec), ("image", &req.image)] {
            if value.trim().is_empty() {
                return Err(Error::bad_data(
                    field,
                    format!("`{field}` must not be empty"),
                ));
            }
        }
        let conn = self.connection_ref("connection", &req.connection).await?;
        let client = self.client(&conn).await?;
        check_vm_extra(client.adapter().info(), &req.extra)?;
        let refs = self.resolve_refs(ns, &conn.name, &req).await?;

        let now = now_rfc3339();
        let mut vm = Vm {
            name: req.name.clone(),
            connection: conn.name.clone(),
            csp_id: String::new(),
            status: VmStatus::Creating,
            native_status: String::new(),
            target_status: Some(VmStatus::Running),
            spec: req.spec.clone(),
            image: req.image.clone(),
            region: conn.region.clone(),
            zone: conn.zone.clone(),
            vnet: req.vnet.clone(),
            subnet: req.subnet.clone(),
            security_groups: req.security_groups.clone(),
            keypair: req.keypair.clone(),
            public_ip: None,
            private_ip: None,
            ssh_access_point: None,
            root_disk_type: req.root_disk_type.clone(),
            root_disk_gib: req.root_disk_gib,
            tags: req.tags.clone(),
            extra: req.extra.clone(),
            last_error: None,
            target_action: None,
            mcis: None,
            subgroup: None,
            op_id: None,
            batch: None,
            created_at: now.clone(),
            updated_at: now,
        };
        // Reserve the name first: a duplicate never reaches the CSP.
        self.store
            .insert_vm(ns, &vm)
            .await
            .map_err(|e| e.with_field("name"))?;

        let mut csp_tags = req.tags.clone();
        csp_tags.insert(tags::NS.into(), ns.into());
        csp_tags.insert(tags::NAME.into(), req.name.clone());
        let request = b::VmRequest {
            name: req.name.clone(),
            spec: req.spec.clone(),
            image: req.image.clone(),
            vnet_id: refs.vnet_id,
            subnet_id: refs.subnet_id,
            security_group_ids: refs.security_group_ids,
            keypair_id: refs.keypair_id,
            root_disk_type: req.root_disk_type.clone(),
            root_disk_gib: req.root_disk_gib,
            user_data: req.user_data.clone(),
            tags: kvs(&csp_tags),
            extra: kvs(&req.extra),
            count: 1,
        };
        match client.create_vm(&request).await {
            Ok(info) => {
                apply_info(&mut vm, &info);
                self.store.update_vm(ns, &vm).await?;
                Ok(vm)
            }
            Err(e) => {
                // Nothing was created: give the name back.
                self.store.delete_vm(ns, &vm.name).await?;
                Err(e)
            }
        }
    }

    /// A VM, refreshed from its CSP. If the CSP cannot be asked, the stored
    /// record is returned with `last_error` saying why.
    pub async fn vm(&self, ns: &str, name: &str) -> Result<Vm> {
        let vm = self.stored_vm(ns, name).await?;
        Ok(self.refresh_vm(ns, vm).await)
    }

    /// All VMs of a namespace from the database; `refresh` asks the CSPs first.
    pub async fn vms(&self, ns: &str, refresh: bool) -> Result<Vec<Vm>> {
        self.require_ns(ns).await?;
        let vms = self.store.vms(ns).await?;
        if !refresh {
            return Ok(vms);
        }
        let refreshed =
            futures::future::join_all(vms.into_iter().map(|vm| self.refresh_vm(ns, vm)));
        Ok(refreshed.await)
    }

    async fn stored_vm(&self, ns: &str, name: &str) -> Result<Vm> {
        match self.store.vm(ns, name).await? {
            Some(vm) => Ok(vm),
            None => {
                // Say which is missing: the namespace or the VM.
                self.require_ns(ns).await?;
                Err(Error::not_found(format!(
                    "vm {name} does not exist in namespace {ns}"
                )))
            }
        }
    }

    /// Ask the CSP for the VM's state and store what changed.
    async fn refresh_vm(&self, ns: &str, mut vm: Vm) -> Vm {
        if vm.status.is_terminal() {
            return vm;
        }
        let expected = vm.csp_id.clone();
        let observed = async {
            let conn = self.connection(&vm.connection).await?;
            let client = self.client(&conn).await?;
            if expected.is_empty() {
                // Rare (a crash between reserving the name and the CSP's
                // answer): adopt by tags on a copy and write it back whole.
                let mut adopted = vm.clone();
                self.adopt_by_tags(ns, &client, &mut adopted).await?;
                return Ok(Observed::Adopted(Box::new(adopted)));
            }
            match client.get_vm(&expected).await {
                Ok(info) => Ok(Observed::Info(Box::new(info))),
                Err(e) if e.code == Code::NotFound => Ok(Observed::Gone),
                Err(e) => Err(e),
            }
        }
        .await;
        let observed = match observed {
            Ok(o) => o,
            Err(e) => {
                // Not stored: the next read tries again.
                vm.last_error = Some(format!("{REFRESH_FAILED}{}", e.message));
                return vm;
            }
        };
        // Applied to the row as it is now, so a concurrent action or poll is
        // not undone.
        let change = move |v: &mut Vm| {
            if v.csp_id != expected {
                return;
            }
            match observed {
                Observed::Info(info) => {
                    apply_info(v, &info);
                    clear_refresh_error(v);
                }
                Observed::Gone => {
                    set_status(v, VmStatus::Terminated, "(gone)");
                    clear_refresh_error(v);
                }
                Observed::Adopted(adopted) => *v = *adopted,
            }
        };
        match self.store.modify_vm(ns, &vm.name, change).await {
            Ok(Some(fresh)) => vm = fresh,
            Ok(None) => {}
            Err(e) => tracing::warn!(vm = %vm.name, "storing a refreshed status failed: {e}"),
        }
        vm
    }

    /// A record without a CSP id: the gateway stopped between reserving the name
    /// and hearing back from the CSP. Find the VM by its tags, or give up on it
    /// once the grace period has passed.
    async fn adopt_by_tags(
        &self,
        ns: &str,
        client: &crate::adapters::AdapterClient,
        vm: &mut Vm,
    ) -> Result<()> {
        let filter = b::VmFilter {
            tags: kvs(&BTreeMap::from([
                (tags::NS.to_string(), ns.to_string()),
                (tags::NAME.to_string(), vm.name.clone()),
            ])),
        };
        let found = client.list_vms(&filter).await?;
        if let Some(info) = found
            .iter()
            .find(|i| status_of(i.status) != VmStatus::Terminated)
        {
            apply_info(vm, info);
            tracing::info!(vm = %vm.name, csp_id = %vm.csp_id, "adopted a VM found by its tags");
            return Ok(());
        }
        let created = time::OffsetDateTime::parse(
            &vm.created_at,
            &time::format_description::well_known::Rfc3339,
        )
        .ok();
        let age = created.map(|c| time::OffsetDateTime::now_utc() - c);
        if age.is_some_and(|a| a > ORPHAN_RECORD_GRACE) {
            set_status(vm, VmStatus::Failed, "(never created)");
            vm.last_error = Some("the creation request never reached the CSP".into());
        }
        Ok(())
    }

    /// Suspend, resume, reboot or terminate a VM.
    pub async fn vm_action(&self, ns: &str, name: &str, action: VmAction) -> Result<Vm> {
        let vm = self.stored_vm(ns, name).await?;
        if vm.csp_id.is_empty() {
            return Err(Error::invalid(format!(
                "vm {name} has not been accepted by its CSP yet; try again shortly"
            )));
        }
        if vm.status == VmStatus::Terminated {
            return Err(Error::invalid(format!("vm {name} is terminated")));
        }
        let conn = self.connection(&vm.connection).await?;
        let client = self.client(&conn).await?;
        let answer = match action {
            VmAction::Suspend => client.suspend_vm(&vm.csp_id).await,
            VmAction::Resume => client.resume_vm(&vm.csp_id).await,
            VmAction::Reboot => client.reboot_vm(&vm.csp_id).await,
            VmAction::Terminate => client.terminate_vm(&vm.csp_id).await,
        };
        self.record_action(ns, &vm, action, answer).await
    }

    /// Record a CSP's answer to an action on the VM's row as it is now (a
    /// concurrent poll or action is not undone); the answer's error, if any.
    pub(crate) async fn record_action(
        &self,
        ns: &str,
        vm: &Vm,
        action: VmAction,
        answer: Result<b::VmStatusInfo>,
    ) -> Result<Vm> {
        let expected = vm.csp_id.clone();
        let (change, outcome): (VmChange, Result<()>) = match answer {
            Ok(s) => (
                Box::new(move |v: &mut Vm| {
                    if v.csp_id == expected {
                        v.target_status = Some(action.target());
                        v.target_action = Some(action);
                        v.last_error = None;
                        set_status(v, status_of(s.status), &s.native_status);
                    }
                }),
                Ok(()),
            ),
            // Terminating what is already gone is done.
            Err(e) if action == VmAction::Terminate && e.code == Code::NotFound => (
                Box::new(move |v: &mut Vm| {
                    if v.csp_id == expected {
                        set_status(v, VmStatus::Terminated, "(gone)");
                    }
                }),
                Ok(()),
            ),
            Err(e) => {
                let why = e.summary();
                (
                    Box::new(move |v: &mut Vm| {
                        if v.csp_id == expected {
                            v.last_error = Some(why);
                        }
                    }),
                    Err(e),
                )
            }
        };
        let fresh = self.store.modify_vm(ns, &vm.name, change).await?;
        outcome.map(|()| fresh.unwrap_or_else(|| vm.clone()))
    }

    /// Terminate the VM at the CSP if needed, then forget it.
    pub async fn delete_vm(&self, ns: &str, name: &str) -> Result<()> {
        let vm = self.stored_vm(ns, name).await?;
        if !vm.csp_id.is_empty() && vm.status != VmStatus::Terminated {
            let conn = self.connection(&vm.connection).await?;
            match self.client(&conn).await?.terminate_vm(&vm.csp_id).await {
                Ok(_) => {}
                Err(e) if e.code == Code::NotFound => {}
                Err(e) => return Err(e),
            }
        }
        self.store.delete_vm(ns, name).await?;
        Ok(())
    }

    /// Turn the request's names of vnet, subnet, security groups and key pair
    /// into CSP ids, checking that each exists and lives in the same connection.
    pub(crate) async fn resolve_refs(&self, ns: &str, conn: &str, req: &VmReq) -> Result<Refs> {
        let mut refs = Refs::default();
        if req.subnet.is_some() && req.vnet.is_none() {
            return Err(Error::bad_data("vnet", "a subnet needs its vnet"));
        }
        if let Some(vnet_name) = &req.vnet {
            let vnet: Vnet = self
                .store
                .resource(Kind::Vnet, ns, vnet_name)
                .await?
                .ok_or_else(|| {
                    Error::bad_data(
                        "vnet",
                        format!("there is no vnet named {vnet_name:?} in namespace {ns}"),
                    )
                })?;
            same_connection("vnet", vnet_name, &vnet.connection, conn)?;
            refs.vnet_id = Some(vnet.csp_id.clone());
            if let Some(subnet) = &req.subnet {
                let s = vnet
                    .subnets
                    .iter()
                    .find(|s| &s.name == subnet)
                    .ok_or_else(|| {
                        Error::bad_data(
                            "subnet",
                            format!("vnet {vnet_name} has no subnet named {subnet:?}"),
                        )
                    })?;
                refs.subnet_id = Some(s.csp_id.clone());
            }
        }
        for (i, sg_name) in req.security_groups.iter().enumerate() {
            let field = format!("security_groups[{i}]");
            let sg: SecurityGroup = self
                .store
                .resource(Kind::SecurityGroup, ns, sg_name)
                .await?
                .ok_or_else(|| {
                    Error::bad_data(
                        &field,
                        format!("there is no security group named {sg_name:?} in namespace {ns}"),
                    )
                })?;
            same_connection(&field, sg_name, &sg.connection, conn)?;
            if req.vnet.as_deref().is_some_and(|v| v != sg.vnet) {
                return Err(Error::bad_data(
                    &field,
                    format!(
                        "security group {sg_name} belongs to vnet {}, not the VM's",
                        sg.vnet
                    ),
                ));
            }
            refs.security_group_ids.push(sg.csp_id);
        }
        if let Some(kp_name) = &req.keypair {
            let kp: Keypair = self
                .store
                .resource(Kind::Keypair, ns, kp_name)
                .await?
                .ok_or_else(|| {
                    Error::bad_data(
                        "keypair",
                        format!("there is no key pair named {kp_name:?} in namespace {ns}"),
                    )
                })?;
            same_connection("keypair", kp_name, &kp.connection, conn)?;
            refs.keypair_id = Some(kp.csp_id);
        }
        Ok(refs)
    }
}

/// CSP ids of the objects a VM request names.
#[derive(Debug, Clone, Default)]
pub(crate) struct Refs {
    pub vnet_id: Option<String>,
    pub subnet_id: Option<String>,
    pub security_group_ids: Vec<String>,
    pub keypair_id: Option<String>,
}

fn same_connection(field: &str, name: &str, has: &str, wants: &str) -> Result<()> {
    if has == wants {
        Ok(())
    } else {
        Err(Error::bad_data(
            field,
            format!("{name} belongs to connection {has}, not {wants}"),
        ))
    }
}

/// VM extra parameters must be declared by the adapter, mandatory ones present.
pub(crate) fn check_vm_extra(
    info: &b::AdapterInfo,
    extra: &BTreeMap<String, String>,
) -> Result<()> {
    let declared: Vec<_> = info
        .parameters
        .iter()
        .filter(|p| p.scope == ParamScope::Vm)
        .collect();
    for p in declared.iter().filter(|p| p.mandatory) {
        if !extra.contains_key(&p.name) {
            return Err(Error::bad_data(
                &format!("extra.{}", p.name),
                format!(
                    "adapter {} needs the VM parameter `{}`: {}",
                    info.name, p.name, p.description
                ),
            ));
        }
    }
    if let Some(k) = extra
        .keys()
        .find(|k| !declared.iter().any(|p| &p.name == *k))
    {
        let known: Vec<&str> = declared.iter().map(|p| p.name.as_str()).collect();
        return Err(Error::bad_data(
            &format!("extra.{k}"),
            format!(
                "adapter {} declares no VM parameter `{k}` (it has: {})",
                info.name,
                if known.is_empty() {
                    "none".to_string()
                } else {
                    known.join(", ")
                }
            ),
        ));
    }
    Ok(())
}
