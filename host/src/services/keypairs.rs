//! Key pairs. A generated private key is returned once and never stored.

use super::{Gateway, tags};
use crate::api::dto::KeypairReq;
use crate::error::{Error, Result};
use crate::model::{Keypair, now_rfc3339, validate_name};
use crate::runtime::bindings as b;
use crate::store::{Kind, Reference};
use serde::Serialize;

/// The answer to a key pair creation: the record plus, once, the private key.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct KeypairCreated {
    /// The record.
    #[serde(flatten)]
    pub keypair: Keypair,
    /// The generated private key (absent when a public key was imported).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub private_key: Option<String>,
}

impl Gateway {
    /// Create (or import) a key pair.
    pub async fn create_keypair(&self, ns: &str, req: KeypairReq) -> Result<KeypairCreated> {
        self.require_ns(ns).await?;
        validate_name("name", &req.name)?;
        let conn = self.connection_ref("connection", &req.connection).await?;
        if self
            .store
            .resource::<Keypair>(Kind::Keypair, ns, &req.name)
            .await?
            .is_some()
        {
            return Err(Error::already_exists(format!(
                "key pair {} already exists in namespace {ns}",
                req.name
            ))
            .with_field("name"));
        }
        let client = self.client(&conn).await?;
        let info = client
            .create_keypair(&b::KeypairRequest {
                name: req.name.clone(),
                public_key: req.public_key.clone(),
                tags: vec![
                    b::Kv {
                        key: tags::NS.into(),
                        value: ns.into(),
                    },
                    b::Kv {
                        key: tags::NAME.into(),
                        value: req.name.clone(),
                    },
                ],
            })
            .await?;
        let keypair = Keypair {
            name: req.name,
            connection: conn.name,
            csp_id: info.id.clone(),
            fingerprint: info.fingerprint,
            public_key: info.public_key.or(req.public_key),
            created_at: now_rfc3339(),
        };
        if let Err(e) = self
            .store
            .insert_resource(
                Kind::Keypair,
                ns,
                &keypair.name,
                &keypair.connection,
                &keypair,
            )
            .await
        {
            let _ = client.delete_keypair(&info.id).await;
            return Err(e);
        }
        Ok(KeypairCreated {
            keypair,
            private_key: info.private_key,
        })
    }

    /// One key pair.
    pub async fn keypair(&self, ns: &str, name: &str) -> Result<Keypair> {
        self.require_ns(ns).await?;
        self.store
            .resource(Kind::Keypair, ns, name)
            .await?
            .ok_or_else(|| {
                Error::not_found(format!("key pair {name} does not exist in namespace {ns}"))
            })
    }

    /// Delete a key pair no live VM uses.
    pub async fn delete_keypair(&self, ns: &str, name: &str) -> Result<()> {
        let kp = self.keypair(ns, name).await?;
        let users = self
            .store
            .users_of(ns, Reference::Keypair(name.into()))
            .await?;
        if !users.is_empty() {
            return Err(Error::invalid(format!(
                "key pair {name} is in use by {}",
                users.join(", ")
            )));
        }
        let conn = self.connection(&kp.connection).await?;
        match self.client(&conn).await?.delete_keypair(&kp.csp_id).await {
            Ok(()) => {}
            Err(e) if e.code == crate::error::Code::NotFound => {}
            Err(e) => return Err(e),
        }
        self.store.delete_resource(Kind::Keypair, ns, name).await?;
        Ok(())
    }
}
