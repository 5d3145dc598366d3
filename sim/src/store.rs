//! The in-memory store: accounts, behaviour and every account's resources per region.
//!
//! Each (account, region) pair has its own [`RegionState`]. Besides the
//! resources it keeps derived indexes (live instances, addresses in use per
//! subnet, members per security group) so quota, allocation and dependency
//! checks cost O(resources touched), not O(instances). The indexes are not
//! persisted; they are rebuilt on load.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::net::Ipv4Addr;

use serde::{Deserialize, Serialize};

use crate::cidr::Ipv4Net;
use crate::config::{Account, Behaviour};
use crate::model::{Instance, KeyPair, SecurityGroup, Vpc};

/// A known account.
#[derive(Debug, Clone)]
pub struct AccountEntry {
    pub secret_key: String,
    /// Added through the admin API, hence saved with the state; accounts from
    /// the configuration are re-added at every start and not saved.
    pub persisted: bool,
}

/// Everything the simulator knows.
#[derive(Debug, Default)]
pub struct Store {
    pub accounts: BTreeMap<String, AccountEntry>,
    pub behaviour: Behaviour,
    /// account → region → resources.
    pub tenants: HashMap<String, HashMap<String, RegionState>>,
    pub public_ips: PublicIpPool,
}

/// Hands out public addresses from 198.18.0.0/15 (reserved for benchmarks, so
/// never a real host), round robin, which keeps them unique in practice.
#[derive(Debug, Default, Clone, Copy, Serialize, Deserialize)]
#[serde(transparent)]
pub struct PublicIpPool {
    next: u32,
}

impl PublicIpPool {
    const BASE: u32 = u32::from_be_bytes([198, 18, 0, 0]);
    const SIZE: u32 = 1 << 17;

    pub fn allocate(&mut self) -> String {
        loop {
            let addr = Self::BASE + self.next % Self::SIZE;
            self.next = self.next.wrapping_add(1);
            let last = addr & 0xff;
            if last != 0 && last != 255 {
                return Ipv4Addr::from(addr).to_string();
            }
        }
    }
}

/// One account's view of one region, for a handler: the region's resources
/// together with the behaviour and the public address pool.
pub struct Tenant<'a> {
    pub rs: &'a mut RegionState,
    pub behaviour: &'a Behaviour,
    pub public_ips: &'a mut PublicIpPool,
}

impl Store {
    pub fn new(behaviour: Behaviour) -> Store {
        Store {
            behaviour,
            ..Store::default()
        }
    }

    /// Add or replace an account.
    pub fn put_account(&mut self, account: Account, persisted: bool) {
        self.accounts.insert(
            account.access_key,
            AccountEntry {
                secret_key: account.secret_key,
                persisted,
            },
        );
    }

    /// Add an account from the configuration. A persisted account with the
    /// same keys stays persisted; one with another secret is replaced (the
    /// configuration wins) and is no longer saved.
    pub fn put_config_account(&mut self, account: Account) {
        let persisted = self
            .accounts
            .get(&account.access_key)
            .is_some_and(|a| a.persisted && a.secret_key == account.secret_key);
        self.put_account(account, persisted);
    }

    /// The secret of an access key.
    pub fn secret_of(&self, access_key: &str) -> Option<String> {
        self.accounts.get(access_key).map(|a| a.secret_key.clone())
    }

    /// An account's resources in a region, if it has any.
    pub fn region(&self, account: &str, region: &str) -> Option<&RegionState> {
        self.tenants.get(account)?.get(region)
    }

    /// An account's resources in a region for changing, created on first use.
    pub fn tenant(&mut self, account: &str, region: &str) -> Tenant<'_> {
        let rs = self
            .tenants
            .entry(account.to_string())
            .or_default()
            .entry(region.to_string())
            .or_default();
        Tenant {
            rs,
            behaviour: &self.behaviour,
            public_ips: &mut self.public_ips,
        }
    }

    /// Forget TERMINATED instances past their retention; how many went.
    pub fn purge_expired(&mut self, now: u64) -> usize {
        let retention = self.behaviour.terminated_retention_ms;
        self.tenants
            .values_mut()
            .flat_map(|regions| regions.values_mut())
            .map(|rs| rs.purge_expired(now, retention))
            .sum()
    }

    /// Drop every resource of every account (accounts and behaviour stay).
    pub fn reset(&mut self) {
        self.tenants.clear();
    }
}

/// One account's resources in one region.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct RegionState {
    #[serde(default)]
    pub vpcs: BTreeMap<String, Vpc>,
    #[serde(default)]
    pub security_groups: BTreeMap<String, SecurityGroup>,
    #[serde(default)]
    pub keypairs: BTreeMap<String, KeyPair>,
    /// Ordered by id, which is also the paging order.
    #[serde(default)]
    pub instances: BTreeMap<String, Instance>,
    #[serde(skip)]
    index: Index,
}

#[derive(Debug, Default)]
struct Index {
    /// (end of life, instance id): the instances that count against the quota.
    live: BTreeSet<(u64, String)>,
    /// subnet id → private address → instance id.
    subnet_ips: HashMap<String, BTreeMap<u32, String>>,
    /// security group id → instance ids.
    sg_members: HashMap<String, BTreeSet<String>>,
}

fn is_live(instances: &BTreeMap<String, Instance>, id: &str, now: u64) -> bool {
    instances.get(id).is_some_and(|i| i.state(now).is_live())
}

impl RegionState {
    /// Recompute the indexes from the resources (after loading a state file).
    pub fn rebuild_index(&mut self) {
        self.index = Index::default();
        for inst in self.instances.values() {
            Self::index_instance(&mut self.index, inst);
        }
    }

    fn index_instance(index: &mut Index, inst: &Instance) {
        index.live.insert((inst.end_of_life(), inst.id.clone()));
        if let Ok(ip) = inst.private_ip.parse::<Ipv4Addr>() {
            index
                .subnet_ips
                .entry(inst.subnet_id.clone())
                .or_default()
                .insert(u32::from(ip), inst.id.clone());
        }
        for sg in &inst.security_group_ids {
            index
                .sg_members
                .entry(sg.clone())
                .or_default()
                .insert(inst.id.clone());
        }
    }

    /// Whether nothing is left here (so the saver can skip it).
    pub fn is_empty(&self) -> bool {
        self.vpcs.is_empty()
            && self.security_groups.is_empty()
            && self.keypairs.is_empty()
            && self.instances.is_empty()
    }

    /// Add a new instance (its private address must come from [`Self::free_ips`]).
    pub fn insert_instance(&mut self, inst: Instance) {
        Self::index_instance(&mut self.index, &inst);
        self.instances.insert(inst.id.clone(), inst);
    }

    /// Record that an instance was deleted and ends its life at `end_of_life`.
    pub fn instance_deleted(&mut self, id: &str, end_of_life: u64) {
        self.index.live.remove(&(u64::MAX, id.to_string()));
        self.index.live.insert((end_of_life, id.to_string()));
    }

    /// Instances that count against the quota at `now` (all but TERMINATED).
    pub fn live_count(&mut self, now: u64) -> usize {
        while let Some(first) = self.index.live.first() {
            if first.0 > now {
                break;
            }
            self.index.live.pop_first();
        }
        self.index.live.len()
    }

    /// Whether a live instance has an address in the subnet.
    pub fn subnet_in_use(&mut self, subnet_id: &str, now: u64) -> bool {
        let Self {
            instances, index, ..
        } = self;
        match index.subnet_ips.get_mut(subnet_id) {
            Some(ips) => {
                ips.retain(|_, id| is_live(instances, id, now));
                !ips.is_empty()
            }
            None => false,
        }
    }

    /// Whether a live instance is a member of the security group.
    pub fn sg_in_use(&mut self, sg_id: &str, now: u64) -> bool {
        let Self {
            instances, index, ..
        } = self;
        match index.sg_members.get_mut(sg_id) {
            Some(members) => {
                members.retain(|id| is_live(instances, id, now));
                !members.is_empty()
            }
            None => false,
        }
    }

    /// `n` unused private addresses of a subnet, lowest first, or None if the
    /// subnet has fewer free. Addresses of TERMINATED instances are free again.
    pub fn free_ips(
        &mut self,
        subnet_id: &str,
        cidr: &Ipv4Net,
        n: usize,
        now: u64,
    ) -> Option<Vec<String>> {
        let Self {
            instances, index, ..
        } = self;
        let used = index.subnet_ips.entry(subnet_id.to_string()).or_default();
        used.retain(|_, id| is_live(instances, id, now));
        let free: Vec<String> = cidr
            .host_range()
            .filter(|ip| !used.contains_key(ip))
            .take(n)
            .map(|ip| Ipv4Addr::from(ip).to_string())
            .collect();
        (free.len() == n).then_some(free)
    }

    /// Forget the indexes of a subnet that is going away.
    pub fn subnet_deleted(&mut self, subnet_id: &str) {
        self.index.subnet_ips.remove(subnet_id);
    }

    /// Forget the index of a security group that is going away.
    pub fn sg_deleted(&mut self, sg_id: &str) {
        self.index.sg_members.remove(sg_id);
    }

    /// Remove TERMINATED instances older than the retention; how many went.
    pub fn purge_expired(&mut self, now: u64, retention_ms: u64) -> usize {
        let expired: Vec<String> = self
            .instances
            .values()
            .filter(|i| i.expired(now, retention_ms))
            .map(|i| i.id.clone())
            .collect();
        for id in &expired {
            let Some(inst) = self.instances.remove(id) else {
                continue;
            };
            self.index
                .live
                .remove(&(inst.end_of_life(), inst.id.clone()));
            if let (Some(ips), Ok(ip)) = (
                self.index.subnet_ips.get_mut(&inst.subnet_id),
                inst.private_ip.parse::<Ipv4Addr>(),
            ) && ips.get(&u32::from(ip)) == Some(&inst.id)
            {
                ips.remove(&u32::from(ip));
            }
            for sg in &inst.security_group_ids {
                if let Some(m) = self.index.sg_members.get_mut(sg) {
                    m.remove(&inst.id);
                }
            }
        }
        expired.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn public_ips_skip_network_and_broadcast() {
        let mut pool = PublicIpPool::default();
        assert_eq!(pool.allocate(), "198.18.0.1");
        pool.next = 254;
        assert_eq!(pool.allocate(), "198.18.0.254");
        assert_eq!(pool.allocate(), "198.18.1.1");
    }
}
