//! Namespaces.

use super::Gateway;
use crate::api::dto::NamespaceReq;
use crate::error::{Error, Result};
use crate::model::{Namespace, now_rfc3339, validate_name};

impl Gateway {
    /// Create a namespace.
    pub async fn create_namespace(&self, req: NamespaceReq) -> Result<Namespace> {
        validate_name("name", &req.name)?;
        let ns = Namespace {
            name: req.name,
            description: req.description,
            created_at: now_rfc3339(),
        };
        self.store.insert_namespace(ns.clone()).await?;
        Ok(ns)
    }

    /// One namespace.
    pub async fn namespace(&self, name: &str) -> Result<Namespace> {
        self.store
            .namespace(name)
            .await?
            .ok_or_else(|| Error::not_found(format!("namespace {name} does not exist")))
    }

    /// Delete an empty namespace.
    pub async fn delete_namespace(&self, name: &str) -> Result<()> {
        if self.store.delete_namespace(name).await? {
            Ok(())
        } else {
            Err(Error::not_found(format!("namespace {name} does not exist")))
        }
    }
}
