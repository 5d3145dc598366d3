//! XML answers, for CSPs whose APIs speak XML (AWS EC2 and the other query-style
//! APIs, some S3-compatible stores, ...). Behind the `xml` feature so adapters
//! that only speak JSON do not compile an XML parser.
//!
//! Parsing goes through `quick-xml`'s serde support: describe the answer as
//! plain `#[derive(Deserialize)]` structs named after the elements. The root
//! element's name is not checked, attributes are fields named `@name`, and
//! unknown elements are ignored, so a shape only lists what the adapter reads.
//!
//! ```ignore
//! #[derive(serde::Deserialize)]
//! struct Answer { #[serde(rename = "requestId")] request_id: String }
//! let a: Answer = mcgw_sdk::xml::from_slice(&resp.body)?;
//! ```

use crate::http::Response;
use crate::{Error, Result};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer};

/// Re-exported so adapters need no direct dependency to reach quick-xml's
/// lower-level reader when serde shapes are not enough.
pub use quick_xml;

/// Parse an XML document into `T`; an unparseable document is a `csp-failure`
/// (the CSP answered something the adapter cannot read).
pub fn from_slice<T: DeserializeOwned>(body: &[u8]) -> Result<T> {
    let text = std::str::from_utf8(body)
        .map_err(|e| Error::csp_failure(format!("the CSP answered XML that is not UTF-8: {e}")))?;
    from_str(text)
}

/// Parse an XML document held in a string; see [`from_slice`].
pub fn from_str<T: DeserializeOwned>(text: &str) -> Result<T> {
    quick_xml::de::from_str(text)
        .map_err(|e| Error::csp_failure(format!("unparseable XML from the CSP: {e}")))
}

/// XML parsing of an HTTP response.
pub trait ResponseXml {
    /// Parse the body as XML; an unparseable body is a `csp-failure` naming
    /// the HTTP status.
    fn xml<T: DeserializeOwned>(&self) -> Result<T>;
}

impl ResponseXml for Response {
    fn xml<T: DeserializeOwned>(&self) -> Result<T> {
        from_slice(&self.body).map_err(|mut e| {
            e.0.message = format!("{} (HTTP {})", e.0.message, self.status);
            e
        })
    }
}

/// A list element whose children all share one name, whatever it is
/// (`<tagSet><item>..</item><item>..</item></tagSet>` in EC2,
/// `<member>` in other AWS APIs). An empty or absent list is empty.
///
/// Use it with `#[serde(default)]` on the field.
#[derive(Debug, Clone, PartialEq)]
pub struct List<T>(pub Vec<T>);

impl<T> Default for List<T> {
    fn default() -> Self {
        List(Vec::new())
    }
}

impl<T> List<T> {
    /// The items.
    pub fn into_vec(self) -> Vec<T> {
        self.0
    }
    /// Iterate over the items.
    pub fn iter(&self) -> std::slice::Iter<'_, T> {
        self.0.iter()
    }
    /// The first item.
    pub fn first(&self) -> Option<&T> {
        self.0.first()
    }
    /// Whether there are no items.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl<T> IntoIterator for List<T> {
    type Item = T;
    type IntoIter = std::vec::IntoIter<T>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for List<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        /// The children in document order, whatever their element name.
        #[derive(Deserialize)]
        #[serde(bound = "T: Deserialize<'de>")]
        struct Children<T> {
            #[serde(rename = "$value", default = "Vec::new")]
            items: Vec<T>,
        }
        Ok(List(Children::deserialize(d)?.items))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Deserialize)]
    struct Tag {
        key: String,
        value: String,
    }

    #[derive(Deserialize)]
    struct Doc {
        #[serde(rename = "tagSet", default)]
        tags: List<Tag>,
        #[serde(rename = "groupSet", default)]
        groups: List<Tag>,
        #[serde(rename = "missing", default)]
        missing: List<Tag>,
    }

    #[test]
    fn lists_of_any_child_name() {
        let d: Doc = from_str(
            r#"<R xmlns="x"><tagSet><item><key>a</key><value>1</value></item>
               <item><key>b</key><value/></item></tagSet><groupSet/></R>"#,
        )
        .unwrap();
        let t: Vec<_> = d.tags.iter().map(|t| (&t.key[..], &t.value[..])).collect();
        assert_eq!(t, [("a", "1"), ("b", "")]);
        assert!(d.groups.is_empty() && d.missing.is_empty());
    }

    #[test]
    fn garbage_is_a_csp_failure() {
        let e = from_str::<Doc>("<R><tagSet>").err().unwrap();
        assert_eq!(e.kind(), crate::ErrorKind::CspFailure);
    }
}
