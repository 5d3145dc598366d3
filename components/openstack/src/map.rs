//! OpenStack's words in the contract's terms: Nova statuses (refined by the
//! task state, which says where a server is going) and the error bodies of
//! Keystone, Nova, Neutron and Glance, whose messages are kept verbatim.

use mcgw_sdk::http::Response;
use mcgw_sdk::{Error, ErrorKind, StatusTable, VmStatus};
use serde_json::Value;

/// Nova's server `status` → common status (nova/api/openstack/common.py
/// builds it from vm_state and task_state).
pub const STATUSES: StatusTable = StatusTable(&[
    ("BUILD", VmStatus::Creating),
    ("ACTIVE", VmStatus::Running),
    ("PASSWORD", VmStatus::Running),
    ("MIGRATING", VmStatus::Running),
    ("SHUTOFF", VmStatus::Suspended),
    ("SUSPENDED", VmStatus::Suspended),
    ("PAUSED", VmStatus::Suspended),
    ("SHELVED", VmStatus::Suspended),
    ("SHELVED_OFFLOADED", VmStatus::Suspended),
    ("REBOOT", VmStatus::Rebooting),
    ("HARD_REBOOT", VmStatus::Rebooting),
    ("REBUILD", VmStatus::Creating),
    ("ERROR", VmStatus::Failed),
    ("DELETED", VmStatus::Terminated),
    ("SOFT_DELETED", VmStatus::Terminated),
    // Resizes and rescue are operations outside the common set: the native
    // status says what is going on.
    ("RESIZE", VmStatus::Undefined),
    ("VERIFY_RESIZE", VmStatus::Undefined),
    ("REVERT_RESIZE", VmStatus::Undefined),
    ("RESCUE", VmStatus::Undefined),
    ("UNKNOWN", VmStatus::Undefined),
]);

/// The common status of a server: Nova keeps `status` ACTIVE while a stop or
/// delete is under way and only the task state tells, so the task state wins
/// when it names a transition.
pub fn vm_status(status: &str, task_state: Option<&str>) -> VmStatus {
    let by_task = match task_state.unwrap_or("") {
        "deleting" | "soft-deleting" => Some(VmStatus::Terminating),
        "powering-off"
        | "suspending"
        | "pausing"
        | "shelving"
        | "shelving_image_pending_upload"
        | "shelving_image_uploading"
        | "shelving_offloading" => Some(VmStatus::Suspending),
        "powering-on" | "resuming" | "unpausing" | "unshelving" => Some(VmStatus::Resuming),
        "rebooting"
        | "reboot_pending"
        | "reboot_started"
        | "rebooting_hard"
        | "reboot_pending_hard"
        | "reboot_started_hard" => Some(VmStatus::Rebooting),
        _ => None,
    };
    by_task.unwrap_or_else(|| STATUSES.map(status))
}

/// Which API answered, for the wording of errors.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Api {
    Keystone,
    Nova,
    Neutron,
    Glance,
}

impl Api {
    fn name(self) -> &'static str {
        match self {
            Api::Keystone => "Keystone",
            Api::Nova => "Nova",
            Api::Neutron => "Neutron",
            Api::Glance => "Glance",
        }
    }
}

/// (code, message) from an error body in the service's own format.
fn parse_body(resp: &Response) -> (String, String) {
    let fallback = || {
        // Glance (webob) answers `404 Not Found\n\n<message>\n\n`: keep the message.
        let text = resp.text();
        let lines: Vec<&str> = text
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .collect();
        let message = match lines.as_slice() {
            [first, rest @ ..]
                if first.starts_with(&resp.status.to_string()) && !rest.is_empty() =>
            {
                rest.join(" ")
            }
            _ => lines.join(" "),
        };
        (format!("HTTP {}", resp.status), message)
    };
    let Ok(v) = serde_json::from_slice::<Value>(&resp.body) else {
        return fallback();
    };
    let text = |v: &Value, key: &str| v[key].as_str().unwrap_or_default().to_string();
    // Keystone (and keystonemiddleware in front of every service).
    if let Some(e) = v.get("error").filter(|e| e.is_object()) {
        return (text(e, "title"), text(e, "message"));
    }
    if let Some(e) = v.get("NeutronError") {
        return (text(e, "type"), text(e, "message"));
    }
    // Nova: {"itemNotFound": {"code": 404, "message": "..."}}.
    if let Some((name, e)) = v.as_object().and_then(|o| o.iter().next())
        && e.get("message").is_some()
    {
        return (name.clone(), text(e, "message"));
    }
    fallback()
}

/// Turn an error answer into a contract error, keeping the CSP's code and message.
pub fn error(api: Api, resp: &Response) -> Error {
    let (code, message) = parse_body(resp);
    let (kind, field) = classify(api, resp.status, &code, &message);
    let shown = if message.is_empty() {
        format!("{} answered HTTP {}", api.name(), resp.status)
    } else {
        format!("{}: {message}", api.name())
    };
    let mut e = Error::new(kind, shown)
        .csp(code, message)
        .http_status(resp.status);
    if let Some(f) = field {
        e = e.field(f);
    }
    if kind == ErrorKind::Throttled {
        e = e.retry_after_ms(resp.retry_after_ms().unwrap_or(1000));
    }
    e
}

fn classify(api: Api, status: u16, code: &str, message: &str) -> (ErrorKind, Option<&'static str>) {
    // A Nova that does not know our microversion answers 406.
    if api == Api::Nova && status == 406 {
        return (ErrorKind::CspFailure, None);
    }
    let lower = message.to_ascii_lowercase();
    let quota = lower.contains("quota exceeded") || code == "OverQuota";
    let kind = match status {
        400 | 422 => return (ErrorKind::BadRequestData, field_of(&lower)),
        401 => ErrorKind::Unauthorized,
        403 if quota => ErrorKind::QuotaExceeded,
        403 => ErrorKind::Unauthorized,
        404 => ErrorKind::NotFound,
        405 | 501 => ErrorKind::Unsupported,
        409 if quota => ErrorKind::QuotaExceeded,
        409 if lower.contains("already exists") || code.ends_with("Exists") => {
            ErrorKind::AlreadyExists
        }
        // Nova's "Cannot 'stop' instance ... while it is in vm_state stopped",
        // Neutron's NetworkInUse/SecurityGroupInUse: the object's state forbids it.
        409 => ErrorKind::InvalidRequest,
        413 | 429 if quota => ErrorKind::QuotaExceeded,
        413 | 429 => ErrorKind::Throttled,
        _ => ErrorKind::CspFailure,
    };
    (kind, None)
}

/// The request field a 400 is about, from Nova's and Neutron's wording.
fn field_of(message: &str) -> Option<&'static str> {
    [
        ("image", "image"),
        ("flavor", "spec"),
        ("key_name", "keypair"),
        ("keypair", "keypair"),
        ("security group", "security_groups"),
        ("network", "vnet"),
        ("availability zone", "zone"),
        ("user_data", "user_data"),
        ("metadata", "tags"),
        ("tags", "tags"),
        ("cidr", "cidr"),
    ]
    .into_iter()
    .find(|(needle, _)| message.contains(needle))
    .map(|(_, field)| field)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resp(status: u16, body: &str) -> Response {
        Response {
            status,
            headers: vec![],
            body: body.as_bytes().to_vec(),
        }
    }

    #[test]
    fn task_states_say_where_a_server_goes() {
        assert_eq!(vm_status("ACTIVE", None), VmStatus::Running);
        assert_eq!(
            vm_status("ACTIVE", Some("powering-off")),
            VmStatus::Suspending
        );
        assert_eq!(
            vm_status("SHUTOFF", Some("powering-on")),
            VmStatus::Resuming
        );
        assert_eq!(vm_status("ACTIVE", Some("deleting")), VmStatus::Terminating);
        assert_eq!(
            vm_status("HARD_REBOOT", Some("rebooting_hard")),
            VmStatus::Rebooting
        );
        assert_eq!(vm_status("BUILD", Some("spawning")), VmStatus::Creating);
        assert_eq!(vm_status("SUSPENDED", None), VmStatus::Suspended);
        assert_eq!(vm_status("VERIFY_RESIZE", None), VmStatus::Undefined);
    }

    #[test]
    fn each_service_error_format_keeps_its_words() {
        let e = error(
            Api::Nova,
            &resp(
                409,
                r#"{"conflictingRequest": {"code": 409,
            "message": "Cannot 'stop' instance x while it is in vm_state stopped"}}"#,
            ),
        );
        assert_eq!(e.kind(), ErrorKind::InvalidRequest);
        assert_eq!(e.0.csp_code.as_deref(), Some("conflictingRequest"));
        let e = error(
            Api::Nova,
            &resp(
                409,
                r#"{"conflictingRequest": {"code": 409,
            "message": "Key pair 'k' already exists."}}"#,
            ),
        );
        assert_eq!(e.kind(), ErrorKind::AlreadyExists);
        let e = error(
            Api::Nova,
            &resp(
                403,
                r#"{"forbidden": {"code": 403,
            "message": "Quota exceeded for instances: Requested 1, but already used 10 of 10 instances"}}"#,
            ),
        );
        assert_eq!(e.kind(), ErrorKind::QuotaExceeded);
        let e = error(
            Api::Nova,
            &resp(
                400,
                r#"{"badRequest": {"code": 400,
            "message": "Invalid key_name provided."}}"#,
            ),
        );
        assert_eq!(
            (e.kind(), e.0.field.as_deref()),
            (ErrorKind::BadRequestData, Some("keypair"))
        );
        let e = error(
            Api::Neutron,
            &resp(
                409,
                r#"{"NeutronError": {"type": "NetworkInUse",
            "message": "Unable to complete operation on network n.", "detail": ""}}"#,
            ),
        );
        assert_eq!(
            (e.kind(), e.0.csp_code.as_deref()),
            (ErrorKind::InvalidRequest, Some("NetworkInUse"))
        );
        let e = error(
            Api::Keystone,
            &resp(
                401,
                r#"{"error": {"code": 401, "title": "Unauthorized",
            "message": "The request you have made requires authentication."}}"#,
            ),
        );
        assert_eq!(
            (e.kind(), e.0.csp_code.as_deref()),
            (ErrorKind::Unauthorized, Some("Unauthorized"))
        );
        let e = error(
            Api::Glance,
            &resp(404, "404 Not Found\n\nNo image found with ID x\n\n   "),
        );
        assert_eq!(e.kind(), ErrorKind::NotFound);
        assert_eq!(e.0.csp_message.as_deref(), Some("No image found with ID x"));
        let e = error(
            Api::Nova,
            &resp(406, r#"{"computeFault": {"code": 406, "message": "no"}}"#),
        );
        assert_eq!(e.kind(), ErrorKind::CspFailure);
    }
}
