//! Names of everything the user creates: lower-case DNS labels, because most CSPs
//! accept nothing wider in resource names and tags.

use crate::error::Error;

/// Check a user-given name; the error names `field` and says what is allowed.
pub fn validate_name(field: &str, name: &str) -> Result<(), Error> {
    let ok = !name.is_empty()
        && name.len() <= 63
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !name.starts_with('-')
        && !name.ends_with('-');
    if ok {
        Ok(())
    } else {
        Err(Error::bad_data(
            field,
            format!(
                "`{field}` must be 1-63 characters of a-z, 0-9 and '-', not starting or ending with '-' (got {name:?})"
            ),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::validate_name;

    #[test]
    fn names() {
        assert!(validate_name("name", "web-1").is_ok());
        assert!(validate_name("name", "a").is_ok());
        for bad in ["", "-a", "a-", "Web", "a_b", "a.b", &"x".repeat(64)] {
            let e = validate_name("name", bad).unwrap_err();
            assert_eq!(e.field.as_deref(), Some("name"));
        }
    }
}
