//! Credentials and connection configs.

use super::Gateway;
use crate::api::dto::{ConnectionReq, CredentialReq};
use crate::error::{Error, Result};
use crate::model::{Connection, Credential, now_rfc3339, validate_name};
use crate::runtime::bindings::ParamScope;
use crate::store::CredentialSecrets;

impl Gateway {
    /// Store a credential, checking it against the adapter's declared fields.
    pub async fn create_credential(&self, req: CredentialReq) -> Result<Credential> {
        validate_name("name", &req.name)?;
        let adapter = self
            .registry
            .resolve(&req.adapter, None)
            .map_err(|e| Error::bad_data("adapter", e.message))?;
        let declared: Vec<_> = adapter
            .info()
            .parameters
            .iter()
            .filter(|p| p.scope == ParamScope::Credential)
            .collect();
        for p in declared.iter().filter(|p| p.mandatory) {
            if req.values.get(&p.name).is_none_or(|v| v.is_empty()) {
                return Err(Error::bad_data(
                    &format!("values.{}", p.name),
                    format!(
                        "adapter {} needs the credential field `{}`",
                        req.adapter, p.name
                    ),
                ));
            }
        }
        if let Some(k) = req
            .values
            .keys()
            .find(|k| !declared.iter().any(|p| &p.name == *k))
        {
            let known: Vec<&str> = declared.iter().map(|p| p.name.as_str()).collect();
            return Err(Error::bad_data(
                &format!("values.{k}"),
                format!(
                    "adapter {} has no credential field `{k}` (it knows: {})",
                    req.adapter,
                    known.join(", ")
                ),
            ));
        }
        let credential = Credential {
            name: req.name,
            adapter: req.adapter,
            keys: req.values.keys().cloned().collect(),
            created_at: now_rfc3339(),
        };
        self.store
            .insert_credential(credential.clone(), CredentialSecrets(req.values))
            .await?;
        Ok(credential)
    }

    /// One credential (names of fields only).
    pub async fn credential(&self, name: &str) -> Result<Credential> {
        self.store
            .credential(name)
            .await?
            .ok_or_else(|| Error::not_found(format!("credential {name} does not exist")))
    }

    /// Delete a credential no connection uses.
    pub async fn delete_credential(&self, name: &str) -> Result<()> {
        let deleted = self.store.delete_credential(name).await?;
        self.bound.forget_all();
        if deleted {
            Ok(())
        } else {
            Err(Error::not_found(format!(
                "credential {name} does not exist"
            )))
        }
    }

    /// Create a connection config, checking adapter, credential and parameters.
    pub async fn create_connection(&self, req: ConnectionReq) -> Result<Connection> {
        validate_name("name", &req.name)?;
        if req.region.trim().is_empty() {
            return Err(Error::bad_data("region", "`region` must not be empty"));
        }
        let adapter = self
            .registry
            .resolve(&req.adapter, req.adapter_version.as_deref())
            .map_err(|e| {
                let field = if req.adapter_version.is_some() && self.registry.contains(&req.adapter)
                {
                    "adapter_version"
                } else {
                    "adapter"
                };
                Error::bad_data(field, e.message)
            })?;
        let credential = self
            .store
            .credential(&req.credential)
            .await?
            .ok_or_else(|| {
                Error::bad_data(
                    "credential",
                    format!("there is no credential named {:?}", req.credential),
                )
            })?;
        if credential.adapter != req.adapter {
            return Err(Error::bad_data(
                "credential",
                format!(
                    "credential {} is for adapter {}, not {}",
                    credential.name, credential.adapter, req.adapter
                ),
            ));
        }
        if let Some(endpoint) = &req.endpoint
            && !(endpoint.starts_with("http://") || endpoint.starts_with("https://"))
        {
            return Err(Error::bad_data(
                "endpoint",
                "`endpoint` must be an http:// or https:// URL",
            ));
        }
        let declared: Vec<_> = adapter
            .info()
            .parameters
            .iter()
            .filter(|p| p.scope == ParamScope::Connection)
            .collect();
        for p in declared.iter().filter(|p| p.mandatory) {
            if !req.extra.contains_key(&p.name) {
                return Err(Error::bad_data(
                    &format!("extra.{}", p.name),
                    format!(
                        "adapter {} needs the connection parameter `{}`",
                        req.adapter, p.name
                    ),
                ));
            }
        }
        if let Some(k) = req
            .extra
            .keys()
            .find(|k| !declared.iter().any(|p| &p.name == *k))
        {
            return Err(Error::bad_data(
                &format!("extra.{k}"),
                format!(
                    "adapter {} declares no connection parameter `{k}`",
                    req.adapter
                ),
            ));
        }
        for (i, h) in req.allowed_hosts.iter().enumerate() {
            crate::runtime::AllowList::parse([h.as_str()])
                .map_err(|e| Error::bad_data(&format!("allowed_hosts[{i}]"), e))?;
        }
        let conn = Connection {
            allowed_hosts: req.allowed_hosts,
            name: req.name,
            adapter: req.adapter,
            adapter_version: req.adapter_version,
            credential: req.credential,
            region: req.region,
            zone: req.zone,
            endpoint: req.endpoint,
            extra: req.extra,
            created_at: now_rfc3339(),
        };
        self.store.insert_connection(conn.clone()).await?;
        Ok(conn)
    }

    /// One connection (from the cache of opened connections).
    pub async fn connection(&self, name: &str) -> Result<Connection> {
        self.bound(name)
            .await?
            .map(|b| b.conn.clone())
            .ok_or_else(|| Error::not_found(format!("connection {name} does not exist")))
    }

    /// Delete a connection nothing uses.
    pub async fn delete_connection(&self, name: &str) -> Result<()> {
        let deleted = self.store.delete_connection(name).await?;
        self.bound.forget_all();
        if deleted {
            Ok(())
        } else {
            Err(Error::not_found(format!(
                "connection {name} does not exist"
            )))
        }
    }
}
