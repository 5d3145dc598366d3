//! Namespaces, connections, network resources and VMs: JSON documents keyed by
//! name, with the columns that queries and foreign keys need.

use super::{Store, unique_violation};
use crate::error::{Error, Result};
use crate::model::{Connection, Namespace};
use rusqlite::{OptionalExtension, params};
use serde::Serialize;
use serde::de::DeserializeOwned;

/// A resource that others may refer to.
#[derive(Debug, Clone)]
pub enum Reference {
    /// A vnet by name.
    Vnet(String),
    /// A subnet: vnet name, subnet name.
    Subnet(String, String),
    /// A security group by name.
    SecurityGroup(String),
    /// A key pair by name.
    Keypair(String),
}

/// The kinds kept in the `resources` table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `model::Vnet`.
    Vnet,
    /// `model::SecurityGroup`.
    SecurityGroup,
    /// `model::Keypair`.
    Keypair,
}

impl Kind {
    fn key(self) -> &'static str {
        match self {
            Kind::Vnet => "vnet",
            Kind::SecurityGroup => "security-group",
            Kind::Keypair => "keypair",
        }
    }
    /// Human name, for messages.
    pub fn label(self) -> &'static str {
        match self {
            Kind::Vnet => "vnet",
            Kind::SecurityGroup => "security group",
            Kind::Keypair => "key pair",
        }
    }
}

pub(super) fn to_json<T: Serialize>(v: &T) -> Result<String> {
    serde_json::to_string(v).map_err(|e| Error::internal(format!("encoding a record: {e}")))
}

pub(super) fn from_json<T: DeserializeOwned>(s: &str) -> Result<T> {
    serde_json::from_str(s).map_err(|e| Error::internal(format!("decoding a stored record: {e}")))
}

impl Store {
    /// Create a namespace (AlreadyExists if taken).
    pub async fn insert_namespace(&self, ns: Namespace) -> Result<()> {
        self.run(move |c| {
            c.execute(
                "INSERT INTO namespaces(name, data) VALUES (?1, ?2)",
                params![ns.name, to_json(&ns)?],
            )
            .map_err(|e| unique_violation(e, || format!("namespace {} already exists", ns.name)))?;
            Ok(())
        })
        .await
    }

    /// One namespace.
    pub async fn namespace(&self, name: &str) -> Result<Option<Namespace>> {
        let name = name.to_string();
        self.read(move |c| {
            c.prepare_cached("SELECT data FROM namespaces WHERE name = ?1")?
                .query_row([&name], |r| r.get::<_, String>(0))
                .optional()?
                .map(|d| from_json(&d))
                .transpose()
        })
        .await
    }

    /// All namespaces, by name.
    pub async fn namespaces(&self) -> Result<Vec<Namespace>> {
        self.run(|c| {
            let mut st = c.prepare("SELECT data FROM namespaces ORDER BY name")?;
            let rows = st.query_map([], |r| r.get::<_, String>(0))?;
            rows.map(|d| from_json(&d?)).collect()
        })
        .await
    }

    /// Delete an empty namespace; InvalidRequest while it holds anything.
    pub async fn delete_namespace(&self, name: &str) -> Result<bool> {
        let name = name.to_string();
        self.run(move |c| {
            let tx = c.transaction()?;
            let used: i64 = tx.prepare_cached("SELECT (SELECT COUNT(*) FROM resources WHERE ns = ?1) + (SELECT COUNT(*) FROM vms WHERE ns = ?1)")?.query_row(
                [&name],
                |r| r.get(0),
            )?;
            if used > 0 {
                return Err(Error::invalid(format!(
                    "namespace {name} still holds {used} resources or VMs; delete them first"
                )));
            }
            let n = tx.execute("DELETE FROM namespaces WHERE name = ?1", [&name])?;
            tx.commit()?;
            Ok(n > 0)
        })
        .await
    }

    /// Create a connection (AlreadyExists if taken).
    pub async fn insert_connection(&self, conn: Connection) -> Result<()> {
        self.run(move |c| {
            c.execute(
                "INSERT INTO connections(name, adapter, credential, data) VALUES (?1, ?2, ?3, ?4)",
                params![conn.name, conn.adapter, conn.credential, to_json(&conn)?],
            )
            .map_err(|e| {
                unique_violation(e, || format!("connection {} already exists", conn.name))
            })?;
            Ok(())
        })
        .await
    }

    /// One connection.
    pub async fn connection(&self, name: &str) -> Result<Option<Connection>> {
        let name = name.to_string();
        self.read(move |c| {
            c.prepare_cached("SELECT data FROM connections WHERE name = ?1")?
                .query_row([&name], |r| r.get::<_, String>(0))
                .optional()?
                .map(|d| from_json(&d))
                .transpose()
        })
        .await
    }

    /// All connections, by name.
    pub async fn connections(&self) -> Result<Vec<Connection>> {
        self.run(|c| {
            let mut st = c.prepare("SELECT data FROM connections ORDER BY name")?;
            let rows = st.query_map([], |r| r.get::<_, String>(0))?;
            rows.map(|d| from_json(&d?)).collect()
        })
        .await
    }

    /// Delete a connection nothing uses; InvalidRequest otherwise.
    pub async fn delete_connection(&self, name: &str) -> Result<bool> {
        let name = name.to_string();
        self.run(move |c| {
            let tx = c.transaction()?;
            let used: i64 = tx.prepare_cached("SELECT (SELECT COUNT(*) FROM resources WHERE connection = ?1) + (SELECT COUNT(*) FROM vms WHERE connection = ?1)")?.query_row(
                [&name],
                |r| r.get(0),
            )?;
            if used > 0 {
                return Err(Error::invalid(format!(
                    "connection {name} is used by {used} resources or VMs; delete them first"
                )));
            }
            let n = tx.execute("DELETE FROM connections WHERE name = ?1", [&name])?;
            tx.commit()?;
            Ok(n > 0)
        })
        .await
    }

    /// Record a resource (AlreadyExists if the name is taken in `ns`).
    pub async fn insert_resource<T: Serialize + Send + 'static>(
        &self,
        kind: Kind,
        ns: &str,
        name: &str,
        connection: &str,
        value: &T,
    ) -> Result<()> {
        let (ns, name, connection, data) = (
            ns.to_string(),
            name.to_string(),
            connection.to_string(),
            to_json(value)?,
        );
        self.run(move |c| {
            c.execute(
                "INSERT INTO resources(kind, ns, name, connection, data) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![kind.key(), ns, name, connection, data],
            )
            .map_err(|e| unique_violation(e, || format!("{} {name} already exists in namespace {ns}", kind.label())))?;
            Ok(())
        })
        .await
    }

    /// Replace a resource's document.
    pub async fn update_resource<T: Serialize + Send + 'static>(
        &self,
        kind: Kind,
        ns: &str,
        name: &str,
        value: &T,
    ) -> Result<()> {
        let (ns, name, data) = (ns.to_string(), name.to_string(), to_json(value)?);
        self.run(move |c| {
            c.execute(
                "UPDATE resources SET data = ?4 WHERE kind = ?1 AND ns = ?2 AND name = ?3",
                params![kind.key(), ns, name, data],
            )?;
            Ok(())
        })
        .await
    }

    /// One resource.
    pub async fn resource<T: DeserializeOwned + Send + 'static>(
        &self,
        kind: Kind,
        ns: &str,
        name: &str,
    ) -> Result<Option<T>> {
        let (ns, name) = (ns.to_string(), name.to_string());
        self.run(move |c| {
            c.prepare_cached(
                "SELECT data FROM resources WHERE kind = ?1 AND ns = ?2 AND name = ?3",
            )?
            .query_row(params![kind.key(), ns, name], |r| r.get::<_, String>(0))
            .optional()?
            .map(|d| from_json(&d))
            .transpose()
        })
        .await
    }

    /// All resources of a kind in a namespace, by name.
    pub async fn resources<T: DeserializeOwned + Send + 'static>(
        &self,
        kind: Kind,
        ns: &str,
    ) -> Result<Vec<T>> {
        let ns = ns.to_string();
        self.run(move |c| {
            let mut st =
                c.prepare("SELECT data FROM resources WHERE kind = ?1 AND ns = ?2 ORDER BY name")?;
            let rows = st.query_map(params![kind.key(), ns], |r| r.get::<_, String>(0))?;
            rows.map(|d| from_json(&d?)).collect()
        })
        .await
    }

    /// What still uses a resource (security groups in a vnet, live VMs using
    /// it), as "kind name" strings, so that deleting it can be refused clearly.
    pub async fn users_of(&self, ns: &str, target: Reference) -> Result<Vec<String>> {
        let ns = ns.to_string();
        self.run(move |c| {
            let live_vms = "SELECT 'vm ' || name FROM vms WHERE ns = ?1 AND status <> 'Terminated'";
            let (sql, a, b) = match &target {
                Reference::Vnet(v) => (
                    format!(
                        "SELECT 'security group ' || name FROM resources WHERE ns = ?1 AND kind = 'security-group' AND json_extract(data, '$.vnet') = ?2
                         UNION ALL {live_vms} AND json_extract(data, '$.vnet') = ?2 AND ?3 = ''"
                    ),
                    v.clone(),
                    String::new(),
                ),
                Reference::Subnet(v, s) => (
                    format!("{live_vms} AND json_extract(data, '$.vnet') = ?2 AND json_extract(data, '$.subnet') = ?3"),
                    v.clone(),
                    s.clone(),
                ),
                Reference::SecurityGroup(g) => (
                    format!("{live_vms} AND EXISTS (SELECT 1 FROM json_each(json_extract(data, '$.security_groups')) WHERE value = ?2) AND ?3 = ''"),
                    g.clone(),
                    String::new(),
                ),
                Reference::Keypair(k) => (
                    format!("{live_vms} AND json_extract(data, '$.keypair') = ?2 AND ?3 = ''"),
                    k.clone(),
                    String::new(),
                ),
            };
            let mut st = c.prepare(&sql)?;
            let rows = st.query_map(params![ns, a, b], |r| r.get::<_, String>(0))?;
            Ok(rows.collect::<Result<Vec<_>, _>>()?)
        })
        .await
    }

    /// Forget a resource.
    pub async fn delete_resource(&self, kind: Kind, ns: &str, name: &str) -> Result<bool> {
        let (ns, name) = (ns.to_string(), name.to_string());
        self.run(move |c| {
            Ok(c.execute(
                "DELETE FROM resources WHERE kind = ?1 AND ns = ?2 AND name = ?3",
                params![kind.key(), ns, name],
            )? > 0)
        })
        .await
    }
}
