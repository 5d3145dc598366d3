//! A JSON body extractor whose refusals use the common envelope and name the
//! offending field (missing, unknown, or of the wrong type).

use crate::error::{Code, Error};
use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::header;
use serde::de::DeserializeOwned;

/// `Json<T>` with precise, enveloped errors.
pub struct ApiJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = Error;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let is_json = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/json") || v.contains("+json"));
        if !is_json {
            return Err(Error::invalid(
                "send the request body as JSON with `Content-Type: application/json`",
            ));
        }
        let bytes = Bytes::from_request(req, state)
            .await
            .map_err(|e| Error::invalid(format!("could not read the request body: {e}")))?;
        parse(&bytes).map(ApiJson)
    }
}

/// Parse a JSON document into `T`, classifying failures.
pub fn parse<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, Error> {
    let de = &mut serde_json::Deserializer::from_slice(bytes);
    let err = match serde_path_to_error::deserialize(de) {
        Ok(v) => return Ok(v),
        Err(e) => e,
    };
    let inner = err.inner();
    let message = inner.to_string();
    match inner.classify() {
        serde_json::error::Category::Syntax | serde_json::error::Category::Eof => Err(
            Error::client(Code::InvalidRequest, format!("malformed JSON: {message}")),
        ),
        _ => {
            let path = err.path().to_string();
            let base = if path == "." { String::new() } else { path };
            // A missing field is reported at its parent's path; an unknown
            // field already at its own.
            let missing = message
                .starts_with("missing field")
                .then(|| backticked(&message))
                .flatten();
            let field = match missing {
                Some(n) if base.is_empty() => n.to_string(),
                Some(n) => format!("{base}.{n}"),
                None if base.is_empty() => "body".to_string(),
                None => base,
            };
            let message = match message.find(" at line ") {
                Some(cut) => message[..cut].to_string(),
                None => message,
            };
            Err(Error::bad_data(&field, format!("`{field}`: {message}")))
        }
    }
}

/// A boolean query parameter (`?wait=true`, `?wait`, `?wait=0`, absent = false),
/// refused precisely when it is anything else.
pub fn query_flag(q: &std::collections::HashMap<String, String>, key: &str) -> Result<bool, Error> {
    match q.get(key).map(String::as_str) {
        None | Some("false") | Some("0") => Ok(false),
        Some("true") | Some("1") | Some("") => Ok(true),
        Some(other) => Err(Error::bad_data(
            key,
            format!("`{key}` must be true or false (got {other:?})"),
        )),
    }
}

/// The first `quoted` name in a serde message.
fn backticked(s: &str) -> Option<&str> {
    let start = s.find('`')? + 1;
    let end = s[start..].find('`')? + start;
    Some(&s[start..end])
}

#[cfg(test)]
mod tests {
    use super::parse;
    use crate::api::dto::VmReq;
    use crate::error::Code;

    #[test]
    fn names_the_field() {
        let e = parse::<VmReq>(br#"{"name":"a","connection":"c","image":"i"}"#).unwrap_err();
        assert_eq!(
            (e.code, e.field.as_deref()),
            (Code::BadRequestData, Some("spec"))
        );
        let e =
            parse::<VmReq>(br#"{"name":"a","connection":"c","image":"i","spec":"s","colour":1}"#)
                .unwrap_err();
        assert_eq!(e.field.as_deref(), Some("colour"));
        let e = parse::<VmReq>(
            br#"{"name":"a","connection":"c","image":"i","spec":"s","root_disk_gib":"big"}"#,
        )
        .unwrap_err();
        assert_eq!(e.field.as_deref(), Some("root_disk_gib"));
        let e = parse::<VmReq>(br#"{"name": "a""#).unwrap_err();
        assert_eq!(e.code, Code::InvalidRequest);
    }
}
