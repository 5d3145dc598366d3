//! `SIM1-HMAC-SHA256` request signatures.
//!
//! A client signs method, raw path, raw query, the `x-sim-date` header and the
//! SHA-256 of the body with its secret key; the server recomputes the signature.
//! Signing the date bounds how long a captured request can be replayed.

use axum::http::HeaderMap;
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

use crate::errors::ApiError;

/// The scheme word at the start of the `authorization` header.
pub const SCHEME: &str = "SIM1-HMAC-SHA256";
/// The header carrying the signed request time.
pub const DATE_HEADER: &str = "x-sim-date";
/// How far the request time may be from the server clock (15 minutes).
pub const MAX_SKEW_MS: i128 = 15 * 60 * 1000;

type HmacSha256 = Hmac<Sha256>;

/// The string a signature covers (see docs/sim-api.md).
pub fn string_to_sign(method: &str, path: &str, query: &str, date: &str, body: &[u8]) -> String {
    format!(
        "{}\n{path}\n{query}\n{date}\n{}",
        method.to_ascii_uppercase(),
        hex::encode(Sha256::digest(body))
    )
}

/// `hex(HMAC-SHA256(secret_key, string_to_sign))`.
pub fn sign(
    secret_key: &str,
    method: &str,
    path: &str,
    query: &str,
    date: &str,
    body: &[u8],
) -> String {
    hex::encode(
        mac(secret_key, method, path, query, date, body)
            .finalize()
            .into_bytes(),
    )
}

fn mac(
    secret_key: &str,
    method: &str,
    path: &str,
    query: &str,
    date: &str,
    body: &[u8],
) -> HmacSha256 {
    // HMAC accepts keys of any length, so this cannot fail.
    let mut mac =
        HmacSha256::new_from_slice(secret_key.as_bytes()).expect("HMAC takes any key length");
    mac.update(string_to_sign(method, path, query, date, body).as_bytes());
    mac
}

/// The value of the `authorization` header for a request.
pub fn authorization(access_key: &str, signature: &str) -> String {
    format!("{SCHEME} Credential={access_key}, Signature={signature}")
}

/// The parts of a request a signature covers.
pub(crate) struct SignedRequest<'a> {
    pub method: &'a str,
    pub path: &'a str,
    pub query: &'a str,
    pub headers: &'a HeaderMap,
    pub body: &'a [u8],
}

/// Check a request's signature; on success, the caller's access key.
///
/// `secret_of` looks an access key up; `now_ms` is the server clock. The order
/// of checks is header shape, access key, date shape, signature, then skew,
/// so an unsigned request never learns whether its clock was right.
pub(crate) fn verify(
    req: &SignedRequest<'_>,
    secret_of: impl FnOnce(&str) -> Option<String>,
    now_ms: u64,
) -> Result<String, ApiError> {
    let header = req
        .headers
        .get(axum::http::header::AUTHORIZATION)
        .ok_or_else(|| auth_failure("missing authorization header"))?
        .to_str()
        .map_err(|_| auth_failure("malformed authorization header"))?;
    let (access_key, signature) = parse_authorization(header)
        .ok_or_else(|| auth_failure("malformed authorization header"))?;
    let secret = secret_of(access_key)
        .ok_or_else(|| auth_failure(format!("unknown access key {access_key}")))?;
    let date = req
        .headers
        .get(DATE_HEADER)
        .ok_or_else(|| auth_failure("missing x-sim-date header"))?
        .to_str()
        .map_err(|_| auth_failure("malformed x-sim-date header"))?;
    let when = crate::clock::parse_rfc3339(date)
        .ok_or_else(|| auth_failure("x-sim-date is not an RFC 3339 time"))?;
    let signature = hex::decode(signature)
        .map_err(|_| ApiError::unauthorized("SignatureDoesNotMatch", "the signature is not hex"))?;
    mac(&secret, req.method, req.path, req.query, date, req.body)
        .verify_slice(&signature)
        .map_err(|_| {
            ApiError::unauthorized(
                "SignatureDoesNotMatch",
                "the request signature does not match the one computed with the secret key",
            )
        })?;
    if (when - now_ms as i128).abs() > MAX_SKEW_MS {
        return Err(ApiError::unauthorized(
            "RequestExpired",
            format!("x-sim-date {date} is more than 15 minutes from the server time"),
        ));
    }
    Ok(access_key.to_string())
}

/// `SIM1-HMAC-SHA256 Credential=<key>, Signature=<hex>` → (key, hex). The two
/// fields may come in either order; both are required.
fn parse_authorization(header: &str) -> Option<(&str, &str)> {
    let rest = header.trim().strip_prefix(SCHEME)?;
    if !rest.starts_with(' ') {
        return None;
    }
    let (mut credential, mut signature) = (None, None);
    for part in rest.split(',') {
        let (k, v) = part.trim().split_once('=')?;
        let v = v.trim();
        match k.trim() {
            "Credential" if credential.is_none() && !v.is_empty() => credential = Some(v),
            "Signature" if signature.is_none() && !v.is_empty() => signature = Some(v),
            _ => return None,
        }
    }
    Some((credential?, signature?))
}

fn auth_failure(message: impl Into<String>) -> ApiError {
    ApiError::unauthorized("AuthFailure", message)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The test vectors written down in docs/sim-api.md.
    #[test]
    fn documented_vectors() {
        let body = br#"{"name":"main","cidr":"10.0.0.0/16","tags":{}}"#;
        assert_eq!(
            sign(
                "sim-secret-key-example",
                "POST",
                "/v1/regions/ap-seoul/vpcs",
                "",
                "2026-11-29T05:44:01Z",
                body
            ),
            "b08fda410df0b400f302e91e0ff1604dd88e676f510ddcb1e8bbcf4d8d08bbf6"
        );
        assert_eq!(
            sign(
                "sim-secret-key-example",
                "GET",
                "/v1/regions/ap-seoul/instances",
                "tag=env%3Dprod&limit=2",
                "2026-11-29T05:44:01Z",
                b""
            ),
            "30874e0719b4ba92d4c5bd2c019fdeb6fa6eb56f8d283103cb9ff9143c0234dc"
        );
    }

    #[test]
    fn method_is_upper_cased() {
        assert_eq!(
            sign("k", "get", "/", "", "d", b""),
            sign("k", "GET", "/", "", "d", b"")
        );
    }

    #[test]
    fn header_parsing() {
        assert_eq!(
            parse_authorization("SIM1-HMAC-SHA256 Credential=AK, Signature=ab12"),
            Some(("AK", "ab12"))
        );
        assert_eq!(
            parse_authorization("SIM1-HMAC-SHA256 Signature=ab12,Credential=AK"),
            Some(("AK", "ab12"))
        );
        assert_eq!(parse_authorization("SIM1-HMAC-SHA256 Credential=AK"), None);
        assert_eq!(parse_authorization("Bearer xyz"), None);
        assert_eq!(
            parse_authorization("SIM1-HMAC-SHA256Credential=AK, Signature=ab"),
            None
        );
        assert_eq!(
            parse_authorization("SIM1-HMAC-SHA256 Credential=AK, Signature=ab, Extra=1"),
            None
        );
    }

    #[test]
    fn verify_checks_in_order() {
        let mut headers = HeaderMap::new();
        let date = "2026-11-29T05:44:01Z";
        let now = crate::clock::parse_rfc3339(date).unwrap() as u64;
        let sig = sign("secret", "GET", "/v1/regions", "", date, b"");
        headers.insert("authorization", authorization("AK", &sig).parse().unwrap());
        headers.insert(DATE_HEADER, date.parse().unwrap());
        let req = SignedRequest {
            method: "GET",
            path: "/v1/regions",
            query: "",
            headers: &headers,
            body: b"",
        };
        let lookup = |k: &str| (k == "AK").then(|| "secret".to_string());
        assert_eq!(verify(&req, lookup, now).unwrap(), "AK");
        let late = now + MAX_SKEW_MS as u64 + 1;
        assert_eq!(
            verify(&req, lookup, late).unwrap_err().code,
            "RequestExpired"
        );
        let wrong = |_: &str| Some("other".to_string());
        assert_eq!(
            verify(&req, wrong, now).unwrap_err().code,
            "SignatureDoesNotMatch"
        );
        assert_eq!(
            verify(&req, |_: &str| None, now).unwrap_err().code,
            "AuthFailure"
        );
    }
}
