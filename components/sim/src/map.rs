//! The simulated cloud's states and error codes in the contract's terms.

use mcgw_sdk::{Error, ErrorKind, StatusTable, VmStatus};

/// Native instance states → common status.
pub const STATES: StatusTable = StatusTable(&[
    ("PROVISIONING", VmStatus::Creating),
    ("ACTIVE", VmStatus::Running),
    ("STOPPING", VmStatus::Suspending),
    ("STOPPED", VmStatus::Suspended),
    ("STARTING", VmStatus::Resuming),
    ("REBOOTING", VmStatus::Rebooting),
    ("TERMINATING", VmStatus::Terminating),
    ("TERMINATED", VmStatus::Terminated),
    ("ERROR", VmStatus::Failed),
]);

/// Classify an error answer by its code, falling back to the HTTP status.
pub fn error(status: u16, code: &str, message: &str, retry_after_ms: Option<u32>) -> Error {
    let (kind, field) = classify(status, code);
    let mut e = Error::new(kind, message.to_string())
        .csp(code, message)
        .http_status(status);
    if let Some(f) = field {
        e = e.field(f);
    }
    if kind == ErrorKind::Throttled {
        e = e.retry_after_ms(retry_after_ms.unwrap_or(1000));
    }
    e
}

fn classify(status: u16, code: &str) -> (ErrorKind, Option<&'static str>) {
    // A reference in the request to something that does not exist is bad data
    // in the request (400), not a missing target object (404).
    let reference = [
        ("InvalidImage.", "image"),
        ("InvalidSpec.", "spec"),
        ("InvalidVpc.", "vnet"),
        ("InvalidSubnet.", "subnet"),
        ("InvalidSecurityGroup.", "security_groups"),
        ("InvalidKeyPair.", "keypair"),
        ("InvalidRegion", "region"),
        ("InvalidZone", "zone"),
    ];
    for (prefix, field) in reference {
        if code.starts_with(prefix) {
            return (ErrorKind::BadRequestData, Some(field));
        }
    }
    let kind = match code {
        "AuthFailure" | "SignatureDoesNotMatch" | "RequestExpired" => ErrorKind::Unauthorized,
        "DependencyViolation" | "IncorrectState" => ErrorKind::InvalidRequest,
        "QuotaExceeded" => ErrorKind::QuotaExceeded,
        "Throttling" => ErrorKind::Throttled,
        "InvalidParameterValue" | "MissingParameter" => ErrorKind::BadRequestData,
        "InternalFailure" | "ServiceUnavailable" => ErrorKind::CspFailure,
        c if c.ends_with("AlreadyExists") => ErrorKind::AlreadyExists,
        c if c.ends_with("NotFound") => ErrorKind::NotFound,
        _ => Error::kind_for_status(status),
    };
    (kind, None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reference_errors_name_the_field() {
        let e = error(400, "InvalidImage.NotFound", "no such image", None);
        assert_eq!(e.0.kind, ErrorKind::BadRequestData);
        assert_eq!(e.0.field.as_deref(), Some("image"));
        assert_eq!(e.0.csp_code.as_deref(), Some("InvalidImage.NotFound"));
    }

    #[test]
    fn status_words_map() {
        assert_eq!(STATES.map("stopped"), VmStatus::Suspended);
        assert_eq!(STATES.map("MELTING"), VmStatus::Undefined);
        assert_eq!(
            error(404, "InstanceNotFound", "", None).0.kind,
            ErrorKind::NotFound
        );
        assert_eq!(
            error(429, "Throttling", "", None).0.retry_after_ms,
            Some(1000)
        );
    }
}
