//! Marker paging as Nova and Glance do it.
//!
//! The next page's link is read only for its `marker`: the request is rebuilt
//! on the catalog's URL, because a `next` href carries whatever host the
//! service believes it has (behind proxies often not the one we may reach).

use serde::Deserialize;

/// Pages followed at most: far beyond any account's size, but bounded.
pub const MAX_PAGES: usize = 10_000;

/// The page size asked for: the services cap it at their own maximum
/// (Nova's `[api]max_limit`, Glance's `api_limit_max`, both 1000 by
/// default); without it Glance would answer 25 per page.
pub const PAGE_LIMIT: &str = "1000";

/// The query of one page: `filters`, the limit, and the marker if any.
pub fn page_query<'a>(
    filters: &[(&'a str, String)],
    marker: &Option<String>,
) -> Vec<(&'a str, String)> {
    let mut query = filters.to_vec();
    query.push(("limit", PAGE_LIMIT.to_string()));
    if let Some(m) = marker {
        query.push(("marker", m.clone()));
    }
    query
}

/// A `{"href": ..., "rel": ...}` link.
#[derive(Deserialize)]
pub struct Link {
    pub href: String,
    #[serde(default)]
    pub rel: String,
}

/// The marker of the `next` link, if there is one.
pub fn marker_of(links: &[Link]) -> Option<String> {
    links
        .iter()
        .find(|l| l.rel == "next")
        .and_then(|l| marker_in(&l.href))
}

/// The `marker` query parameter of a URL or path.
pub fn marker_in(url: &str) -> Option<String> {
    let query = url.split_once('?')?.1;
    query.split('&').find_map(|pair| {
        let (k, v) = pair.split_once('=')?;
        (k == "marker").then(|| decode(v))
    })
}

/// Percent-decoding of one query value.
fn decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match (bytes[i], s.get(i + 1..i + 3)) {
            (b'%', Some(hex)) if u8::from_str_radix(hex, 16).is_ok() => {
                out.push(u8::from_str_radix(hex, 16).expect("checked"));
                i += 3;
            }
            (b'+', _) => {
                out.push(b' ');
                i += 1;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_marker_comes_from_the_link_not_its_host() {
        let links = vec![Link {
            href: "http://elsewhere:8774/v2.1/servers/detail?limit=2&marker=a%20b".into(),
            rel: "next".into(),
        }];
        assert_eq!(marker_of(&links).as_deref(), Some("a b"));
        assert_eq!(
            marker_in("/v2/images?marker=x&limit=2").as_deref(),
            Some("x")
        );
        assert_eq!(marker_in("/v2/images"), None);
    }
}
