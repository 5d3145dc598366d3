//! From a request to a plan: validation (names, connections, references,
//! declared parameters, and the catalog: does the spec exist, the image?),
//! the VM rows and batches a creation will make, and the review (dry run)
//! with the estimated hourly cost.

use super::McisReq;
use crate::api::dto::VmReq;
use crate::error::{Error, Result};
use crate::model::{Batch, BatchState, Subgroup, Vm, VmStatus, now_rfc3339, validate_name};
use crate::services::Gateway;
use crate::services::vms::check_vm_extra;
use serde::Serialize;

/// What validation learned about a subgroup.
pub(crate) struct Checked {
    /// Region of its connection.
    pub region: String,
    /// The spec, as the CSP describes it.
    pub spec: Option<crate::runtime::bindings::SpecInfo>,
}

/// Review of one subgroup.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SubgroupReview {
    /// Name.
    pub name: String,
    /// Connection.
    pub connection: String,
    /// Region.
    pub region: String,
    /// Spec name.
    pub spec: String,
    /// vCPUs per VM.
    pub vcpus: Option<u32>,
    /// Memory per VM, MiB.
    pub memory_mib: Option<u64>,
    /// Price of one VM per hour.
    pub price_per_hour: Option<f64>,
    /// Number of VMs.
    pub size: u32,
    /// Price of the subgroup per hour.
    pub hourly_cost: Option<f64>,
    /// Image.
    pub image: String,
    /// Objects a dynamic request would create for it.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub creates: Vec<String>,
}

/// A problem found by a review.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Problem {
    /// Field at fault.
    pub field: Option<String>,
    /// Code, as the create call would answer.
    pub code: String,
    /// What is wrong.
    pub message: String,
}

/// The answer of a review: what would be created and what it would cost.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Review {
    /// Whether the request would be accepted.
    pub valid: bool,
    /// MCIS name.
    pub name: String,
    /// VMs in total.
    pub total_vms: u32,
    /// Estimated hourly cost (sum over subgroups with known prices).
    pub hourly_cost: f64,
    /// Whether every subgroup's price is known.
    pub cost_complete: bool,
    /// Per subgroup.
    pub subgroups: Vec<SubgroupReview>,
    /// What is wrong, if anything.
    pub problems: Vec<Problem>,
}

/// The name of a VM of an MCIS.
pub fn vm_name(mcis: &str, subgroup: &str, index: u32) -> String {
    format!("{mcis}-{subgroup}-{index}")
}

impl Gateway {
    /// Check the request's shape (no I/O beyond the database).
    pub(crate) async fn check_request(&self, ns: &str, req: &McisReq) -> Result<()> {
        self.require_ns(ns).await?;
        validate_name("name", &req.name)?;
        if matches!(req.name.as_str(), "dynamic" | "review") {
            return Err(Error::bad_data(
                "name",
                format!("`{}` is reserved by the API; choose another name", req.name),
            ));
        }
        if req.subgroups.is_empty() {
            return Err(Error::bad_data(
                "subgroups",
                "an MCIS needs at least one subgroup",
            ));
        }
        let mut total: u64 = 0;
        for (i, sg) in req.subgroups.iter().enumerate() {
            let f = |k: &str| format!("subgroups[{i}].{k}");
            validate_name(&f("name"), &sg.name)?;
            if req.subgroups[..i].iter().any(|o| o.name == sg.name) {
                return Err(Error::bad_data(
                    &f("name"),
                    format!("two subgroups are named {}", sg.name),
                ));
            }
            if sg.size == 0 {
                return Err(Error::bad_data(&f("size"), "size must be at least 1"));
            }
            let longest = vm_name(&req.name, &sg.name, sg.size);
            if longest.len() > 63 {
                return Err(Error::bad_data(
                    &f("name"),
                    format!(
                        "VM names like {longest} would exceed 63 characters; shorten the MCIS or subgroup name"
                    ),
                ));
            }
            total += u64::from(sg.size);
        }
        if total > u64::from(self.mcis.settings.max_vms) {
            return Err(Error::bad_data(
                "subgroups",
                format!(
                    "{total} VMs requested; at most {} per MCIS",
                    self.mcis.settings.max_vms
                ),
            ));
        }
        Ok(())
    }

    /// Check one subgroup against its connection, references and catalog.
    pub(crate) async fn check_subgroup(
        &self,
        ns: &str,
        i: usize,
        sg: &Subgroup,
        catalog: bool,
        refs: bool,
    ) -> Result<Checked> {
        let f = |k: &str| format!("subgroups[{i}].{k}");
        let conn = self
            .connection_ref(&f("connection"), &sg.connection)
            .await?;
        let client = self.client(&conn).await?;
        check_vm_extra(client.adapter().info(), &sg.extra).map_err(|e| prefix(e, i))?;
        let as_vm = VmReq {
            name: sg.name.clone(),
            connection: sg.connection.clone(),
            spec: sg.spec.clone(),
            image: sg.image.clone(),
            vnet: sg.vnet.clone(),
            subnet: sg.subnet.clone(),
            security_groups: sg.security_groups.clone(),
            keypair: sg.keypair.clone(),
            ..VmReq::default()
        };
        if refs {
            self.resolve_refs(ns, &conn.name, &as_vm)
                .await
                .map_err(|e| prefix(e, i))?;
        }
        let mut spec = None;
        if catalog {
            let (s, img) = futures::join!(client.get_spec(&sg.spec), client.get_image(&sg.image));
            spec = Some(s.map_err(|e| not_found_is_bad(e, &f("spec")))?);
            img.map_err(|e| not_found_is_bad(e, &f("image")))?;
        }
        Ok(Checked {
            region: conn.region,
            spec,
        })
    }

    /// The VM rows and batches for `count` new VMs of a subgroup, indexes
    /// starting at `first`.
    pub(crate) fn plan_vms(
        &self,
        mcis: &str,
        sg: &Subgroup,
        region: &str,
        first: u32,
        count: u32,
        op_id: &str,
    ) -> (Vec<Vm>, Vec<Batch>) {
        let now = now_rfc3339();
        let names: Vec<String> = (first..first + count)
            .map(|i| vm_name(mcis, &sg.name, i))
            .collect();
        let batches: Vec<Batch> = names
            .chunks(self.mcis.settings.batch_size.max(1) as usize)
            .map(|chunk| Batch {
                id: format!(
                    "{op_id}-{}-{}",
                    sg.name,
                    chunk[0].rsplit('-').next().unwrap_or("0")
                ),
                subgroup: sg.name.clone(),
                connection: sg.connection.clone(),
                vms: chunk.to_vec(),
                state: BatchState::Pending,
                error: None,
                attempts: 0,
            })
            .collect();
        let vms = batches
            .iter()
            .flat_map(|b| b.vms.iter().map(move |name| (b, name)))
            .map(|(b, name)| Vm {
                name: name.clone(),
                connection: sg.connection.clone(),
                csp_id: String::new(),
                status: VmStatus::Creating,
                native_status: String::new(),
                target_status: Some(VmStatus::Running),
                spec: sg.spec.clone(),
                image: sg.image.clone(),
                region: region.to_string(),
                zone: None,
                vnet: sg.vnet.clone(),
                subnet: sg.subnet.clone(),
                security_groups: sg.security_groups.clone(),
                keypair: sg.keypair.clone(),
                public_ip: None,
                private_ip: None,
                ssh_access_point: None,
                root_disk_type: sg.root_disk_type.clone(),
                root_disk_gib: sg.root_disk_gib,
                tags: sg.tags.clone(),
                extra: sg.extra.clone(),
                last_error: None,
                target_action: None,
                mcis: Some(mcis.to_string()),
                subgroup: Some(sg.name.clone()),
                op_id: Some(op_id.to_string()),
                batch: Some(b.id.clone()),
                created_at: now.clone(),
                updated_at: now.clone(),
            })
            .collect();
        (vms, batches)
    }

    /// Dry-run a static request: every check a creation makes, nothing created.
    pub async fn review_mcis(
        &self,
        ns: &str,
        req: &McisReq,
        creates: &[Vec<String>],
    ) -> Result<Review> {
        let mut problems = Vec::new();
        if let Err(e) = self.check_request(ns, req).await {
            problems.push(problem(e));
        }
        if self.store.mcis(ns, &req.name).await?.is_some() {
            problems.push(Problem {
                field: Some("name".into()),
                code: "AlreadyExists".into(),
                message: format!("mcis {} already exists in namespace {ns}", req.name),
            });
        }
        let checks = futures::future::join_all(req.subgroups.iter().enumerate().map(|(i, sg)| {
            // Objects a dynamic request would create cannot be looked up yet.
            let pending = creates.get(i).is_some_and(|c| !c.is_empty());
            self.check_subgroup(ns, i, sg, true, !pending)
        }))
        .await;
        let mut subgroups = Vec::new();
        let (mut hourly, mut complete) = (0.0, true);
        for (i, (sg, check)) in req.subgroups.iter().zip(checks).enumerate() {
            let (region, spec) = match check {
                Ok(c) => (c.region, c.spec),
                Err(e) => {
                    problems.push(problem(e));
                    (String::new(), None)
                }
            };
            let price = spec.as_ref().and_then(|s| s.price_per_hour);
            let cost = price.map(|p| p * f64::from(sg.size));
            match cost {
                Some(c) => hourly += c,
                None => complete = false,
            }
            subgroups.push(SubgroupReview {
                name: sg.name.clone(),
                connection: sg.connection.clone(),
                region,
                spec: sg.spec.clone(),
                vcpus: spec.as_ref().map(|s| s.vcpus),
                memory_mib: spec.as_ref().map(|s| s.memory_mib),
                price_per_hour: price,
                size: sg.size,
                hourly_cost: cost,
                image: sg.image.clone(),
                creates: creates.get(i).cloned().unwrap_or_default(),
            });
        }
        Ok(Review {
            valid: problems.is_empty(),
            name: req.name.clone(),
            total_vms: req.subgroups.iter().map(|s| s.size).sum(),
            hourly_cost: (hourly * 10_000.0).round() / 10_000.0,
            cost_complete: complete,
            subgroups,
            problems,
        })
    }
}

fn problem(e: Error) -> Problem {
    Problem {
        field: e.field,
        code: format!("{:?}", e.code),
        message: e.message,
    }
}

/// Errors about a subgroup's field name it inside `subgroups[i]`.
fn prefix(mut e: Error, i: usize) -> Error {
    e.field = Some(match e.field {
        Some(f) => format!("subgroups[{i}].{f}"),
        None => format!("subgroups[{i}]"),
    });
    e
}

/// A spec or image the catalog does not know is bad data in the request.
fn not_found_is_bad(mut e: Error, field: &str) -> Error {
    if e.code == crate::error::Code::NotFound {
        e.code = crate::error::Code::BadRequestData;
    }
    e.field = Some(field.to_string());
    e
}
