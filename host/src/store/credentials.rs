//! Credentials: the names of their fields in clear, the values sealed.

use super::{Store, unique_violation};
use crate::error::{Error, Result};
use crate::model::Credential;
use rusqlite::{OptionalExtension, params};
use std::collections::BTreeMap;

/// A credential's secret values (only ever handed to an adapter call).
/// `Debug` is redacted so a stray log line cannot print them.
#[derive(Clone, PartialEq)]
pub struct CredentialSecrets(pub BTreeMap<String, String>);

impl std::fmt::Debug for CredentialSecrets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.0.keys()).finish()?;
        f.write_str(" (values redacted)")
    }
}

impl Store {
    /// Store a credential with its values sealed.
    pub async fn insert_credential(
        &self,
        credential: Credential,
        secrets: CredentialSecrets,
    ) -> Result<()> {
        let plain = serde_json::to_vec(&secrets.0)
            .map_err(|e| Error::internal(format!("encoding a credential: {e}")))?;
        let sealed = self.sealer.seal(&plain);
        let data = serde_json::to_string(&credential)
            .map_err(|e| Error::internal(format!("encoding a credential: {e}")))?;
        self.run(move |c| {
            c.execute(
                "INSERT INTO credentials(name, adapter, data, sealed) VALUES (?1, ?2, ?3, ?4)",
                params![credential.name, credential.adapter, data, sealed],
            )
            .map_err(|e| {
                unique_violation(e, || {
                    format!("credential {} already exists", credential.name)
                })
            })?;
            Ok(())
        })
        .await
    }

    /// A credential's public part.
    pub async fn credential(&self, name: &str) -> Result<Option<Credential>> {
        let name = name.to_string();
        self.run(move |c| {
            c.prepare_cached("SELECT data FROM credentials WHERE name = ?1")?
                .query_row([&name], |r| r.get::<_, String>(0))
                .optional()?
                .map(|d| {
                    serde_json::from_str(&d)
                        .map_err(|e| Error::internal(format!("decoding a credential: {e}")))
                })
                .transpose()
        })
        .await
    }

    /// A credential's secret values.
    pub async fn credential_secrets(&self, name: &str) -> Result<Option<CredentialSecrets>> {
        let name = name.to_string();
        let sealed: Option<Vec<u8>> = self
            .read(move |c| {
                Ok(
                    c.prepare_cached("SELECT sealed FROM credentials WHERE name = ?1")?
                        .query_row([&name], |r| r.get(0))
                        .optional()?,
                )
            })
            .await?;
        let Some(sealed) = sealed else {
            return Ok(None);
        };
        let plain = self
            .sealer
            .open(&sealed)
            .map_err(|e| Error::internal(format!("credential: {e}")))?;
        let values = serde_json::from_slice(&plain)
            .map_err(|e| Error::internal(format!("decoding a credential: {e}")))?;
        Ok(Some(CredentialSecrets(values)))
    }

    /// All credentials' public parts, by name.
    pub async fn credentials(&self) -> Result<Vec<Credential>> {
        self.run(|c| {
            let mut st = c.prepare("SELECT data FROM credentials ORDER BY name")?;
            let rows = st.query_map([], |r| r.get::<_, String>(0))?;
            rows.map(|d| {
                serde_json::from_str(&d?)
                    .map_err(|e| Error::internal(format!("decoding a credential: {e}")))
            })
            .collect()
        })
        .await
    }

    /// Delete a credential no connection uses.
    pub async fn delete_credential(&self, name: &str) -> Result<bool> {
        let name = name.to_string();
        self.run(move |c| {
            let users: Vec<String> = {
                let mut st = c.prepare("SELECT name FROM connections WHERE credential = ?1")?;
                st.query_map([&name], |r| r.get(0))?
                    .collect::<Result<_, _>>()?
            };
            if !users.is_empty() {
                return Err(Error::invalid(format!(
                    "credential {name} is used by connections {}; delete them first",
                    users.join(", ")
                )));
            }
            Ok(c.execute("DELETE FROM credentials WHERE name = ?1", [&name])? > 0)
        })
        .await
    }
}
