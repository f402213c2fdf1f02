//! The server key and what it protects: secrets the product must be able to read back (the
//! interface's wallet API key) are sealed with XChaCha20-Poly1305 under it; keys it only needs
//! to recompute are derived from it. It is loaded once at start-up and never logged.

use std::path::Path;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::Sha256;

/// The environment variable holding the server key (32 bytes, base64).
pub const SERVER_KEY_VAR: &str = "TIXBRIDGE_SERVER_KEY";

#[derive(Debug, thiserror::Error)]
pub enum VaultError {
    #[error("{SERVER_KEY_VAR} must be 32 bytes in base64 (e.g. from `head -c32 /dev/urandom | base64`)")]
    BadKey,
    #[error("server key file {path}: {source}")]
    KeyFile { path: String, source: std::io::Error },
    #[error("a sealed secret could not be opened: wrong server key or altered data")]
    Unseal,
}

/// The 32-byte server key. `Debug` never shows it.
#[derive(Clone)]
pub struct ServerKey([u8; 32]);

impl std::fmt::Debug for ServerKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ServerKey(…)")
    }
}

impl ServerKey {
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        Self(bytes)
    }

    pub fn generate() -> Self {
        let mut bytes = [0u8; 32];
        rand::thread_rng().fill_bytes(&mut bytes);
        Self(bytes)
    }

    pub fn from_base64(text: &str) -> Result<Self, VaultError> {
        let bytes = STANDARD.decode(text.trim()).map_err(|_| VaultError::BadKey)?;
        Ok(Self(bytes.try_into().map_err(|_| VaultError::BadKey)?))
    }

    /// The key from `TIXBRIDGE_SERVER_KEY`, else from `file` (created with a new random key,
    /// readable by its owner only, when missing).
    pub fn from_env_or_file(file: &Path) -> Result<Self, VaultError> {
        if let Ok(text) = std::env::var(SERVER_KEY_VAR) {
            return Self::from_base64(&text);
        }
        let io = |source| VaultError::KeyFile { path: file.display().to_string(), source };
        match std::fs::read_to_string(file) {
            Ok(text) => Self::from_base64(&text),
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
                let key = Self::generate();
                write_private(file, &STANDARD.encode(key.0)).map_err(io)?;
                tracing::warn!(file = %file.display(), "no {SERVER_KEY_VAR} set: created a new server key file; keep it with the database");
                Ok(key)
            }
            Err(err) => Err(io(err)),
        }
    }

    /// A public name of this key, stored with the database so that a process started with
    /// another key is told at once which key the data was sealed with. Derived one-way from
    /// the key (HMAC-SHA-256 under its own purpose), so it reveals nothing about the key or
    /// about anything else derived from it.
    pub fn fingerprint(&self) -> String {
        let digest = self.derive("server-key-fingerprint");
        let hex: String = digest[..16].iter().map(|b| format!("{b:02x}")).collect();
        format!("sha256:{hex}")
    }

    /// Encrypts `secret`; `context` (e.g. "interface-password") must be the same to open it.
    pub fn seal(&self, context: &str, secret: &[u8]) -> Vec<u8> {
        let cipher = XChaCha20Poly1305::new((&self.0).into());
        let mut nonce = [0u8; 24];
        rand::thread_rng().fill_bytes(&mut nonce);
        let sealed = cipher
            .encrypt(XNonce::from_slice(&nonce), Payload { msg: secret, aad: context.as_bytes() })
            .expect("XChaCha20-Poly1305 encryption cannot fail for in-memory data");
        [nonce.as_slice(), &sealed].concat()
    }

    pub fn open(&self, context: &str, sealed: &[u8]) -> Result<Vec<u8>, VaultError> {
        if sealed.len() < 24 {
            return Err(VaultError::Unseal);
        }
        let (nonce, data) = sealed.split_at(24);
        XChaCha20Poly1305::new((&self.0).into())
            .decrypt(XNonce::from_slice(nonce), Payload { msg: data, aad: context.as_bytes() })
            .map_err(|_| VaultError::Unseal)
    }

    /// A 32-byte key for one purpose, derived so that no two purposes share key material.
    pub fn derive(&self, purpose: &str) -> [u8; 32] {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.0).expect("HMAC takes any key length");
        mac.update(purpose.as_bytes());
        mac.finalize().into_bytes().into()
    }
}

/// Where a process takes its server key from: `TIXBRIDGE_SERVER_KEY` when set, else a file.
/// Kept apart from loading so that a missing file is created only once the database has
/// said it has nothing sealed under another key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeySource {
    Env,
    File(std::path::PathBuf),
}

impl KeySource {
    /// `TIXBRIDGE_SERVER_KEY` if it is set, else `file`.
    pub fn from_env_or_file(file: &Path) -> Self {
        if std::env::var_os(SERVER_KEY_VAR).is_some() { Self::Env } else { Self::File(file.to_owned()) }
    }

    /// The key, or `None` when the source is a file that does not exist yet.
    pub fn load(&self) -> Result<Option<ServerKey>, VaultError> {
        match self {
            Self::Env => ServerKey::from_base64(&std::env::var(SERVER_KEY_VAR).unwrap_or_default()).map(Some),
            Self::File(file) => match std::fs::read_to_string(file) {
                Ok(text) => ServerKey::from_base64(&text).map(Some),
                Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(None),
                Err(source) => Err(VaultError::KeyFile { path: file.display().to_string(), source }),
            },
        }
    }

    /// Creates the key file with a new random key, readable by its owner only; never
    /// overwrites one.
    pub fn create(&self) -> Result<ServerKey, VaultError> {
        let Self::File(file) = self else {
            return ServerKey::from_base64(&std::env::var(SERVER_KEY_VAR).unwrap_or_default());
        };
        let key = ServerKey::generate();
        write_private(file, &STANDARD.encode(key.0))
            .map_err(|source| VaultError::KeyFile { path: file.display().to_string(), source })?;
        tracing::warn!(file = %file.display(), "no {SERVER_KEY_VAR} set: created a new server key file; keep it with the database");
        Ok(key)
    }
}

impl std::fmt::Display for KeySource {
    /// What a person must look at to change the key: the variable, or the file's path.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Env => write!(f, "{SERVER_KEY_VAR}"),
            Self::File(file) => write!(f, "server key file {}", file.display()),
        }
    }
}

fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path)?.write_all(text.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sealed_secret_opens_only_with_the_same_key_and_context() {
        let key = ServerKey::generate();
        let sealed = key.seal("interface-password", b"tbk_secret");
        assert!(!sealed.windows(10).any(|w| w == b"tbk_secret"));
        assert_eq!(key.open("interface-password", &sealed).unwrap(), b"tbk_secret");
        assert!(key.open("other", &sealed).is_err());
        assert!(ServerKey::generate().open("interface-password", &sealed).is_err());
    }

    #[test]
    fn a_missing_key_file_is_created_once_and_read_back() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("server.key");
        let first = ServerKey::from_env_or_file(&file).unwrap();
        let second = ServerKey::from_env_or_file(&file).unwrap();
        assert_eq!(first.derive("x"), second.derive("x"));
        assert_ne!(first.derive("x"), first.derive("y"));
    }

    #[test]
    fn a_fingerprint_names_one_key_without_showing_it() {
        let key = ServerKey::from_bytes([7; 32]);
        let print = key.fingerprint();
        assert_eq!(print, ServerKey::from_bytes([7; 32]).fingerprint());
        assert_ne!(print, ServerKey::from_bytes([8; 32]).fingerprint());
        assert!(print.starts_with("sha256:") && print.len() == 7 + 32, "{print}");
        assert!(!print.contains(&STANDARD.encode([7u8; 32])));
    }

    #[test]
    fn a_key_of_the_wrong_length_is_refused() {
        assert!(ServerKey::from_base64(&STANDARD.encode([1u8; 16])).is_err());
        assert!(format!("{:?}", ServerKey::generate()) == "ServerKey(…)");
    }
}
