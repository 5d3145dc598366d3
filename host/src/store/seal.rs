//! Sealing credential secrets at rest (XChaCha20-Poly1305, key in its own file),
//! so a copied database alone reveals no secret.

use anyhow::{Context, bail};
use chacha20poly1305::aead::{Aead, KeyInit, OsRng};
use chacha20poly1305::{AeadCore, XChaCha20Poly1305, XNonce};
use std::io::Write;
use std::path::Path;

/// Seals and opens secrets with the data directory's key.
pub struct Sealer {
    cipher: XChaCha20Poly1305,
}

impl Sealer {
    /// Read the key, or create it (mode 0600) when absent.
    pub fn load_or_create(path: &Path) -> anyhow::Result<Sealer> {
        let key = match std::fs::read(path) {
            Ok(k) if k.len() == 32 => k,
            Ok(_) => bail!("{} is not a 32-byte key", path.display()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let key = XChaCha20Poly1305::generate_key(&mut OsRng);
                let mut opts = std::fs::OpenOptions::new();
                opts.write(true).create_new(true);
                #[cfg(unix)]
                std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
                opts.open(path)
                    .and_then(|mut f| f.write_all(&key))
                    .with_context(|| format!("creating the secret key {}", path.display()))?;
                key.to_vec()
            }
            Err(e) => return Err(e).with_context(|| format!("reading {}", path.display())),
        };
        Ok(Sealer {
            cipher: XChaCha20Poly1305::new_from_slice(&key).expect("32-byte key"),
        })
    }

    /// nonce || ciphertext.
    pub fn seal(&self, plain: &[u8]) -> Vec<u8> {
        let nonce = XChaCha20Poly1305::generate_nonce(&mut OsRng);
        let mut out = nonce.to_vec();
        out.extend(
            self.cipher
                .encrypt(&nonce, plain)
                .expect("encryption with a valid key cannot fail"),
        );
        out
    }

    /// Reverse of `seal`; fails if the data or key changed.
    pub fn open(&self, sealed: &[u8]) -> anyhow::Result<Vec<u8>> {
        if sealed.len() < 24 {
            bail!("sealed secret too short");
        }
        let (nonce, ct) = sealed.split_at(24);
        self.cipher
            .decrypt(XNonce::from_slice(nonce), ct)
            .map_err(|_| anyhow::anyhow!("secret cannot be opened with this data directory's key"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_tamper() {
        let dir = tempfile::tempdir().unwrap();
        let s = Sealer::load_or_create(&dir.path().join("k")).unwrap();
        let sealed = s.seal(b"hunter2");
        assert!(!sealed.windows(7).any(|w| w == b"hunter2"));
        assert_eq!(s.open(&sealed).unwrap(), b"hunter2");
        let mut bad = sealed.clone();
        *bad.last_mut().unwrap() ^= 1;
        assert!(s.open(&bad).is_err());
        let again = Sealer::load_or_create(&dir.path().join("k")).unwrap();
        assert_eq!(again.open(&sealed).unwrap(), b"hunter2");
    }
}
