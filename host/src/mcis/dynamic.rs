//! Dynamic requests: subgroups name only `csp+region+spec`, an image and a
//! size; the engine picks the connection and finds or creates that
//! connection's default vnet, security group and key pair, once per
//! connection even under concurrent requests.

use super::create::Accepted;
use super::plan::Review;
use super::{DynamicMcisReq, DynamicSubgroup, McisReq, PlaceReq};
use crate::api::dto::{KeypairReq, SecurityGroupReq, SubnetReq, VnetReq};
use crate::error::{Error, Result};
use crate::model::{Connection, Keypair, Rule, RuleDirection, SecurityGroup, Subgroup, Vnet};
use crate::placement::{CandidateFilter, FleetAnswer, FleetReq};
use crate::services::Gateway;
use crate::store::Kind;
use mcgw_geo::{FleetGoal, FleetParams};
use std::collections::BTreeMap;
use std::sync::Arc;

/// The default objects of one connection.
struct Defaults {
    vnet: String,
    security_group: String,
    keypair: String,
}

/// Name of a connection's default objects (`dyn-<connection>`, shortened with a
/// hash when too long for a name).
fn default_name(conn: &str) -> String {
    let name = format!("dyn-{conn}");
    if name.len() <= 63 {
        return name;
    }
    let hash = crate::runtime::digest(conn.as_bytes());
    format!("dyn-{}-{}", &conn[..40], &hash[..8])
}

impl Gateway {
    /// The connection a `csp+region+spec` id means: one with that adapter and
    /// region, preferring the one named `<csp>-<region>`.
    async fn connection_for(&self, field: &str, spec_id: &str) -> Result<(Connection, String)> {
        let parts: Vec<&str> = spec_id.splitn(3, '+').collect();
        let [csp, region, spec] = parts[..] else {
            return Err(Error::bad_data(
                field,
                format!("spec_id must be `csp+region+spec` (got {spec_id:?})"),
            ));
        };
        if csp.is_empty() || region.is_empty() || spec.is_empty() {
            return Err(Error::bad_data(
                field,
                format!("spec_id must be `csp+region+spec` (got {spec_id:?})"),
            ));
        }
        let preferred = format!("{csp}-{region}");
        let mut candidates: Vec<Connection> = self
            .store
            .connections()
            .await?
            .into_iter()
            .filter(|c| c.adapter == csp && c.region == region)
            .collect();
        candidates.sort_by_key(|c| (c.name != preferred, c.name.clone()));
        let conn = candidates.into_iter().next().ok_or_else(|| {
            Error::bad_data(
                field,
                format!("no connection uses adapter {csp} in region {region}; create one first"),
            )
        })?;
        Ok((conn, spec.to_string()))
    }

    /// Turn a dynamic request into a static one. With `create`, missing default
    /// objects are created (their new private keys are returned); without, the
    /// objects that would be created are listed per subgroup.
    async fn resolve_dynamic(
        &self,
        ns: &str,
        req: &DynamicMcisReq,
        create: bool,
    ) -> Result<(
        McisReq,
        Vec<Vec<String>>,
        BTreeMap<String, String>,
        Option<FleetAnswer>,
    )> {
        self.require_ns(ns).await?;
        let mut wanted = req.subgroups.clone();
        let placed = match &req.place {
            Some(p) => {
                let answer = self.place_sites(p).await?;
                for (i, site) in answer.offers.iter().enumerate() {
                    wanted.push(DynamicSubgroup {
                        name: Some(format!("site{}", i + 1)),
                        spec_id: format!(
                            "{}+{}+{}",
                            site.provider, site.region, p.spec[&site.provider]
                        ),
                        image: p.image[&site.provider].clone(),
                        size: p.size_per_site,
                        root_disk_type: None,
                        root_disk_gib: None,
                        tags: BTreeMap::from([("mcgw-site".to_string(), site.region.clone())]),
                        extra: BTreeMap::new(),
                    });
                }
                Some(answer)
            }
            None => None,
        };
        if wanted.is_empty() {
            return Err(Error::bad_data(
                "subgroups",
                "an MCIS needs at least one subgroup (or `place`)",
            ));
        }
        let (mut subgroups, mut creates, mut keys) = (Vec::new(), Vec::new(), BTreeMap::new());
        for (i, d) in wanted.iter().enumerate() {
            let (conn, spec) = self
                .connection_for(&format!("subgroups[{i}].spec_id"), &d.spec_id)
                .await?;
            let (defaults, made, key) = self.defaults_for(ns, &conn, create).await?;
            keys.extend(key);
            creates.push(made);
            subgroups.push(Subgroup {
                name: d.name.clone().unwrap_or_else(|| format!("g{}", i + 1)),
                connection: conn.name.clone(),
                spec,
                image: d.image.clone(),
                vnet: Some(defaults.vnet),
                subnet: Some("main".into()),
                security_groups: vec![defaults.security_group],
                keypair: Some(defaults.keypair),
                root_disk_type: d.root_disk_type.clone(),
                root_disk_gib: d.root_disk_gib,
                size: d.size,
                extra: d.extra.clone(),
                tags: d.tags.clone(),
            });
        }
        let static_req = McisReq {
            name: req.name.clone(),
            description: req.description.clone(),
            labels: req.labels.clone(),
            policy: req.policy,
            subgroups,
        };
        Ok((static_req, creates, keys, placed))
    }

    /// Run the fleet planner over the connections of the providers `p` names.
    async fn place_sites(&self, p: &PlaceReq) -> Result<FleetAnswer> {
        for provider in p.spec.keys() {
            if !p.image.contains_key(provider) {
                return Err(Error::bad_data(
                    &format!("place.image.{provider}"),
                    format!("give an image for provider {provider}"),
                ));
            }
        }
        if p.spec.is_empty() {
            return Err(Error::bad_data(
                "place.spec",
                "give a spec per provider, e.g. {\"sim\": \"sim.small\"}",
            ));
        }
        if p.size_per_site == 0 {
            return Err(Error::bad_data(
                "place.size_per_site",
                "size_per_site must be at least 1",
            ));
        }
        let req = FleetReq {
            users: p.users.clone(),
            params: FleetParams {
                goal: FleetGoal::Sites { k: p.k },
                cost_weight: p.cost_weight,
                constraints: p.constraints.clone(),
                options: Default::default(),
            },
            candidates: CandidateFilter {
                providers: p.spec.keys().cloned().collect(),
                spec: p.spec.clone(),
                ..Default::default()
            },
        };
        self.place_fleet(req).await.map_err(|mut e| {
            e.field = e.field.map(|f| format!("place.{f}"));
            e
        })
    }

    /// Find or create (under the connection's lock) its default objects.
    async fn defaults_for(
        &self,
        ns: &str,
        conn: &Connection,
        create: bool,
    ) -> Result<(Defaults, Vec<String>, Option<(String, String)>)> {
        let name = default_name(&conn.name);
        let lock = {
            let mut locks = self.mcis.dynamic_locks.lock().expect("dynamic lock table");
            locks
                .entry(format!("{ns}/{}", conn.name))
                .or_insert_with(|| Arc::new(tokio::sync::Mutex::new(())))
                .clone()
        };
        let _guard = lock.lock().await;
        let mut made = Vec::new();
        let mut private_key = None;
        if self
            .store
            .resource::<Vnet>(Kind::Vnet, ns, &name)
            .await?
            .is_none()
        {
            made.push(format!(
                "vnet {name} (10.0.0.0/16, subnet main 10.0.1.0/24)"
            ));
            if create {
                self.create_vnet(
                    ns,
                    VnetReq {
                        name: name.clone(),
                        connection: conn.name.clone(),
                        cidr: "10.0.0.0/16".into(),
                        subnets: vec![SubnetReq {
                            name: "main".into(),
                            cidr: "10.0.1.0/24".into(),
                            zone: None,
                        }],
                    },
                )
                .await?;
            }
        }
        if self
            .store
            .resource::<SecurityGroup>(Kind::SecurityGroup, ns, &name)
            .await?
            .is_none()
        {
            made.push(format!("security group {name} (ssh in, all out)"));
            if create {
                let rule = |direction, protocol: &str, port: Option<u16>| Rule {
                    direction,
                    protocol: protocol.into(),
                    from_port: port,
                    to_port: port,
                    cidr: "0.0.0.0/0".into(),
                };
                self.create_security_group(
                    ns,
                    SecurityGroupReq {
                        name: name.clone(),
                        connection: conn.name.clone(),
                        vnet: name.clone(),
                        description: "default for dynamic MCIS".into(),
                        rules: vec![
                            rule(RuleDirection::Inbound, "tcp", Some(22)),
                            rule(RuleDirection::Outbound, "all", None),
                        ],
                    },
                )
                .await?;
            }
        }
        if self
            .store
            .resource::<Keypair>(Kind::Keypair, ns, &name)
            .await?
            .is_none()
        {
            made.push(format!("key pair {name}"));
            if create {
                let k = self
                    .create_keypair(
                        ns,
                        KeypairReq {
                            name: name.clone(),
                            connection: conn.name.clone(),
                            public_key: None,
                        },
                    )
                    .await?;
                private_key = k.private_key.map(|p| (name.clone(), p));
            }
        }
        let defaults = Defaults {
            vnet: name.clone(),
            security_group: name.clone(),
            keypair: name,
        };
        Ok((defaults, made, private_key))
    }

    /// Create an MCIS from a dynamic request.
    pub async fn create_dynamic_mcis(
        &self,
        ns: &str,
        req: DynamicMcisReq,
    ) -> Result<(Accepted, BTreeMap<String, String>, Option<FleetAnswer>)> {
        // Refuse a taken name before creating any default object.
        if self.store.mcis(ns, &req.name).await?.is_some() {
            return Err(Error::already_exists(format!(
                "mcis {} already exists in namespace {ns}",
                req.name
            ))
            .with_field("name"));
        }
        let (static_req, _, keys, placed) = self.resolve_dynamic(ns, &req, true).await?;
        Ok((self.create_mcis(ns, static_req).await?, keys, placed))
    }

    /// Review a dynamic request (nothing is created).
    pub async fn review_dynamic_mcis(&self, ns: &str, req: DynamicMcisReq) -> Result<Review> {
        let (static_req, creates, _, _) = self.resolve_dynamic(ns, &req, false).await?;
        self.review_mcis(ns, &static_req, &creates).await
    }
}
