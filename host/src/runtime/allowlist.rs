//! Which hosts an adapter may call: parsed once from its declared patterns, then
//! matched on every outbound request. An empty list allows nothing.
//!
//! | pattern                      | matches                                         |
//! |------------------------------|-------------------------------------------------|
//! | `ec2.us-east-1.amazonaws.com` | exactly that host, on any port                 |
//! | `*.amazonaws.com`            | one or more labels before `.amazonaws.com`      |
//! | `127.0.0.1:8090`             | that host on port 8090 only                     |
//! | `http://127.0.0.1:8090/x`    | a URL: its host and port (default 80/443)       |

/// One parsed pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Pattern {
    /// Lower-case host, or the suffix after `*.` (with a leading dot).
    host: String,
    wildcard: bool,
    port: Option<u16>,
}

/// A parsed allow-list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AllowList {
    patterns: Vec<Pattern>,
}

impl AllowList {
    /// Parse patterns; a malformed pattern is an error naming it.
    pub fn parse<'a>(patterns: impl IntoIterator<Item = &'a str>) -> Result<AllowList, String> {
        let mut out = AllowList::default();
        for p in patterns {
            out.add(p)?;
        }
        Ok(out)
    }

    /// Add one pattern (a host pattern or a URL).
    pub fn add(&mut self, pattern: &str) -> Result<(), String> {
        let p = pattern.trim();
        let (default_port, rest) = if let Some(r) = p.strip_prefix("https://") {
            (Some(443), r)
        } else if let Some(r) = p.strip_prefix("http://") {
            (Some(80), r)
        } else {
            (None, p)
        };
        let authority = rest.split(['/', '?']).next().unwrap_or("");
        let (host, port) = split_host_port(authority)
            .ok_or_else(|| format!("invalid host pattern `{pattern}`"))?;
        let port = port.or(default_port);
        let (wildcard, host) = match host.strip_prefix("*.") {
            Some(suffix) => (true, format!(".{suffix}")),
            None => (false, host.to_string()),
        };
        if host.is_empty() || host.contains('*') || host.contains(char::is_whitespace) {
            return Err(format!("invalid host pattern `{pattern}`"));
        }
        self.patterns.push(Pattern {
            host: host.to_ascii_lowercase(),
            wildcard,
            port,
        });
        Ok(())
    }

    /// Whether a request to `host:port` may leave.
    pub fn allows(&self, host: &str, port: u16) -> bool {
        let host = host.trim_end_matches('.').to_ascii_lowercase();
        self.patterns.iter().any(|p| {
            let host_ok = if p.wildcard {
                host.len() > p.host.len() && host.ends_with(&p.host)
            } else {
                host == p.host
            };
            host_ok && p.port.is_none_or(|allowed| allowed == port)
        })
    }
}

/// Split `host[:port]`, including `[v6]:port`.
fn split_host_port(authority: &str) -> Option<(&str, Option<u16>)> {
    if authority.is_empty() {
        return None;
    }
    if let Some(rest) = authority.strip_prefix('[') {
        let (host, after) = rest.split_once(']')?;
        let port = match after.strip_prefix(':') {
            Some(p) => Some(p.parse().ok()?),
            None if after.is_empty() => None,
            None => return None,
        };
        return Some((host, port));
    }
    match authority.rsplit_once(':') {
        Some((h, p)) => Some((h, Some(p.parse().ok()?))),
        None => Some((authority, None)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_wildcard_and_port_rules() {
        let a = AllowList::parse([
            "ec2.us-east-1.amazonaws.com",
            "*.example.com",
            "127.0.0.1:8090",
        ])
        .unwrap();
        assert!(a.allows("ec2.us-east-1.amazonaws.com", 443));
        assert!(a.allows("EC2.US-EAST-1.amazonaws.com.", 443));
        assert!(!a.allows("ec2.us-east-2.amazonaws.com", 443));
        assert!(a.allows("a.example.com", 80));
        assert!(a.allows("a.b.example.com", 443));
        assert!(!a.allows("example.com", 443));
        assert!(!a.allows("badexample.com", 443));
        assert!(a.allows("127.0.0.1", 8090));
        assert!(!a.allows("127.0.0.1", 8091));
    }

    #[test]
    fn urls_use_their_default_port() {
        let a = AllowList::parse(["http://127.0.0.1:9000/base", "https://api.cloud.test"]).unwrap();
        assert!(a.allows("127.0.0.1", 9000));
        assert!(a.allows("api.cloud.test", 443));
        assert!(!a.allows("api.cloud.test", 80));
    }

    #[test]
    fn empty_denies_everything_and_garbage_is_refused() {
        assert!(!AllowList::default().allows("localhost", 80));
        assert!(AllowList::parse(["*"]).is_err());
        assert!(AllowList::parse(["host:notaport"]).is_err());
        assert!(AllowList::parse([""]).is_err());
    }
}
