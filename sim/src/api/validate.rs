//! Checks shared by the resource handlers: names, tags, descriptions.
//!
//! Limits follow common cloud practice, so that what passes here would pass
//! a real provider too and adapters meet the errors early.

use crate::errors::{ApiError, ApiResult};
use crate::model::Tags;

/// Longest resource name.
pub const MAX_NAME: usize = 255;
/// Most tags per resource.
pub const MAX_TAGS: usize = 50;
/// Longest tag key.
pub const MAX_TAG_KEY: usize = 128;
/// Longest tag value.
pub const MAX_TAG_VALUE: usize = 256;

fn has_control(s: &str) -> bool {
    s.chars().any(char::is_control)
}

/// A name: 1..=255 characters, no control characters, not only blanks.
pub fn name(field: &str, value: &str) -> ApiResult<()> {
    if value.trim().is_empty() {
        return Err(ApiError::invalid(format!("{field} must not be empty")));
    }
    if value.chars().count() > MAX_NAME {
        return Err(ApiError::invalid(format!(
            "{field} is longer than {MAX_NAME} characters"
        )));
    }
    if has_control(value) {
        return Err(ApiError::invalid(format!(
            "{field} contains control characters"
        )));
    }
    Ok(())
}

/// Free text such as a description: at most 255 characters, no control characters.
pub fn text(field: &str, value: &str) -> ApiResult<()> {
    if value.chars().count() > MAX_NAME || has_control(value) {
        return Err(ApiError::invalid(format!(
            "{field} must be at most {MAX_NAME} characters without control characters"
        )));
    }
    Ok(())
}

/// Tags: at most 50; keys 1..=128 characters, values up to 256, no control characters.
pub fn tags(tags: &Tags) -> ApiResult<()> {
    if tags.len() > MAX_TAGS {
        return Err(ApiError::invalid(format!(
            "at most {MAX_TAGS} tags are allowed"
        )));
    }
    for (k, v) in tags {
        if k.is_empty() || k.chars().count() > MAX_TAG_KEY || has_control(k) {
            return Err(ApiError::invalid(format!(
                "tag key {k:?} must be 1..={MAX_TAG_KEY} characters without control characters"
            )));
        }
        if v.chars().count() > MAX_TAG_VALUE || has_control(v) {
            return Err(ApiError::invalid(format!(
                "tag value of {k:?} must be at most {MAX_TAG_VALUE} characters without control characters"
            )));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits() {
        assert!(name("name", "web-1").is_ok());
        assert!(name("name", " ").is_err());
        assert!(name("name", "a\nb").is_err());
        assert!(name("name", &"x".repeat(256)).is_err());
        let mut t = Tags::new();
        t.insert("env".into(), "".into());
        assert!(tags(&t).is_ok());
        t.insert("".into(), "x".into());
        assert!(tags(&t).is_err());
    }
}
