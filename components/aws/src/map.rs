//! EC2's words in the contract's terms: instance states, and error codes.
//!
//! EC2 answers every failure with HTTP 400/401/403/503 and a code; the code
//! carries the meaning, and sometimes the meaning depends on the call: an
//! `InvalidAMIID.NotFound` from RunInstances is a bad value in the request
//! (the image it *references* is unknown: 400 naming `image`), while an
//! `InvalidInstanceID.NotFound` from DescribeInstances on get-vm means the
//! *target* is gone (404). Each call therefore names its [`Op`]: the action plus
//! which codes mean "a referenced parameter" and which mean "the target".

use mcgw_sdk::{Error, ErrorKind, StatusTable, VmStatus};

/// EC2 instance states → common status. EC2 has no rebooting or resuming
/// state: a reboot keeps `running`, a start goes through `pending` (reported as
/// resuming in the answer to the start call, see `compute::resume`).
pub const STATES: StatusTable = StatusTable(&[
    ("pending", VmStatus::Creating),
    ("running", VmStatus::Running),
    ("stopping", VmStatus::Suspending),
    ("stopped", VmStatus::Suspended),
    ("shutting-down", VmStatus::Terminating),
    ("terminated", VmStatus::Terminated),
]);

/// One EC2 action and what its error codes mean in its context.
pub struct Op {
    /// The Query API action, e.g. `RunInstances`.
    pub action: &'static str,
    /// Code prefixes that name a referenced parameter which is wrong or
    /// missing, and the request field it is: bad-request-data.
    pub refs: &'static [(&'static str, &'static str)],
    /// Code prefixes meaning the target object does not exist: not-found.
    pub target: &'static [&'static str],
    /// The largest `MaxResults` a listing accepts (0: the call takes none).
    pub max_results: u32,
}

const fn op(action: &'static str) -> Op {
    Op {
        action,
        refs: &[],
        target: &[],
        max_results: 0,
    }
}

/// A listing that pages with `MaxResults` (at most `max`) and `NextToken`.
const fn listing(action: &'static str, max: u32) -> Op {
    Op {
        max_results: max,
        ..op(action)
    }
}

const INSTANCE: &[&str] = &["InvalidInstanceID."];

pub const DESCRIBE_REGIONS: Op = op("DescribeRegions");
pub const DESCRIBE_ZONES: Op = op("DescribeAvailabilityZones");
pub const DESCRIBE_IMAGES: Op = listing("DescribeImages", 1000);
/// DescribeImages for one id: a malformed id is as absent as an unknown one.
pub const GET_IMAGE: Op = Op {
    target: &["InvalidAMIID."],
    ..op("DescribeImages")
};
/// DescribeImages for the image a VM is created from (its root device):
/// an unknown image is a bad value of the VM request.
pub const IMAGE_OF_VM: Op = Op {
    refs: &[("InvalidAMIID.", "image")],
    ..op("DescribeImages")
};
pub const DESCRIBE_TYPES: Op = listing("DescribeInstanceTypes", 100);
pub const GET_TYPE: Op = Op {
    target: &["InvalidInstanceType"],
    ..op("DescribeInstanceTypes")
};
pub const DESCRIBE_OFFERINGS: Op = listing("DescribeInstanceTypeOfferings", 1000);

pub const CREATE_VPC: Op = Op {
    refs: &[
        ("InvalidVpc.Range", "cidr"),
        ("InvalidParameterValue", "cidr"),
    ],
    ..op("CreateVpc")
};
pub const DESCRIBE_VPCS: Op = Op {
    target: &["InvalidVpcID."],
    ..listing("DescribeVpcs", 1000)
};
pub const DELETE_VPC: Op = Op {
    target: &["InvalidVpcID."],
    ..op("DeleteVpc")
};
pub const CREATE_SUBNET: Op = Op {
    refs: &[
        ("InvalidSubnet.Range", "cidr"),
        ("InvalidSubnet.Conflict", "cidr"),
        ("InvalidParameterValue", "cidr"),
        ("InvalidAvailabilityZone", "zone"),
    ],
    target: &["InvalidVpcID."],
    ..op("CreateSubnet")
};
pub const MODIFY_SUBNET: Op = op("ModifySubnetAttribute");
pub const DESCRIBE_SUBNETS: Op = listing("DescribeSubnets", 1000);
pub const DELETE_SUBNET: Op = Op {
    target: &["InvalidSubnetID."],
    ..op("DeleteSubnet")
};
pub const CREATE_IGW: Op = op("CreateInternetGateway");
pub const ATTACH_IGW: Op = op("AttachInternetGateway");
pub const DESCRIBE_IGWS: Op = listing("DescribeInternetGateways", 1000);
pub const DETACH_IGW: Op = op("DetachInternetGateway");
pub const DELETE_IGW: Op = op("DeleteInternetGateway");
pub const DESCRIBE_ROUTE_TABLES: Op = listing("DescribeRouteTables", 100);
pub const CREATE_ROUTE: Op = op("CreateRoute");

pub const CREATE_GROUP: Op = Op {
    refs: &[("InvalidVpcID.", "vnet")],
    ..op("CreateSecurityGroup")
};
pub const AUTHORIZE_INGRESS: Op = Op {
    refs: &[
        ("InvalidPermission.Malformed", "rules"),
        ("InvalidParameterValue", "rules"),
    ],
    ..op("AuthorizeSecurityGroupIngress")
};
pub const AUTHORIZE_EGRESS: Op = Op {
    refs: AUTHORIZE_INGRESS.refs,
    ..op("AuthorizeSecurityGroupEgress")
};
pub const REVOKE_EGRESS: Op = op("RevokeSecurityGroupEgress");
pub const DESCRIBE_GROUPS: Op = Op {
    target: &["InvalidGroup.NotFound", "InvalidGroupId."],
    ..listing("DescribeSecurityGroups", 1000)
};
pub const DELETE_GROUP: Op = Op {
    target: &["InvalidGroup.NotFound", "InvalidGroupId."],
    ..op("DeleteSecurityGroup")
};

pub const CREATE_KEY_PAIR: Op = op("CreateKeyPair");
pub const IMPORT_KEY_PAIR: Op = Op {
    refs: &[
        ("InvalidKeyPair.Format", "public_key"),
        ("InvalidKey.Format", "public_key"),
        ("InvalidParameterValue", "public_key"),
    ],
    ..op("ImportKeyPair")
};
pub const DESCRIBE_KEY_PAIRS: Op = Op {
    target: &["InvalidKeyPair.NotFound"],
    ..op("DescribeKeyPairs")
};
pub const DELETE_KEY_PAIR: Op = Op {
    target: &["InvalidKeyPair.NotFound"],
    ..op("DeleteKeyPair")
};

/// RunInstances names every object it uses: each unknown one is a bad value.
pub const RUN_INSTANCES: Op = Op {
    refs: &[
        ("InvalidAMIID.", "image"),
        ("InvalidInstanceType", "spec"),
        ("InvalidSubnetID.", "subnet"),
        ("InvalidSubnet", "subnet"),
        ("InvalidGroup.NotFound", "security_groups"),
        ("InvalidGroupId.", "security_groups"),
        ("InvalidSecurityGroupID.", "security_groups"),
        ("InvalidKeyPair.", "keypair"),
        ("InvalidVpcID.", "vnet"),
        ("InvalidAvailabilityZone", "zone"),
        ("InvalidBlockDeviceMapping", "root_disk_gib"),
        ("InvalidUserData.", "user_data"),
    ],
    ..op("RunInstances")
};
pub const CREATE_TAGS: Op = Op {
    target: INSTANCE,
    ..op("CreateTags")
};
/// DescribeInstances by filter (list-vms): pages of up to 1000.
pub const LIST_INSTANCES: Op = listing("DescribeInstances", 1000);
/// DescribeInstances by id (get-vm): EC2 refuses `MaxResults` with ids.
pub const DESCRIBE_INSTANCES: Op = Op {
    target: INSTANCE,
    ..op("DescribeInstances")
};
pub const DESCRIBE_STATUS: Op = Op {
    target: INSTANCE,
    ..op("DescribeInstanceStatus")
};
pub const STOP: Op = Op {
    target: INSTANCE,
    ..op("StopInstances")
};
pub const START: Op = Op {
    target: INSTANCE,
    ..op("StartInstances")
};
pub const REBOOT: Op = Op {
    target: INSTANCE,
    ..op("RebootInstances")
};
pub const TERMINATE: Op = Op {
    target: INSTANCE,
    ..op("TerminateInstances")
};

/// EC2 parameter names (lower case) as they appear in InvalidParameterValue
/// messages, and the request field each one is.
const MESSAGE_FIELDS: &[(&str, &str)] = &[
    ("availabilityzone", "zone"),
    ("instancetype", "spec"),
    ("imageid", "image"),
    ("keyname", "keypair"),
    ("publickeymaterial", "public_key"),
    ("cidr", "cidr"),
];

/// The contract error for an EC2 error answer, keeping EC2's code and message.
pub fn error(op: &Op, status: u16, code: &str, message: &str) -> Error {
    let (kind, field) = classify(op, status, code, message);
    let mut e = Error::new(kind, format!("EC2 {} failed: {message}", op.action))
        .csp(code, message)
        .http_status(status);
    if let Some(f) = field {
        e = e.field(f);
    }
    e
}

fn classify(op: &Op, status: u16, code: &str, message: &str) -> (ErrorKind, Option<&'static str>) {
    // A plain InvalidParameterValue names the parameter only in its message.
    if code == "InvalidParameterValue" {
        let lower = message.to_ascii_lowercase();
        if let Some((_, field)) = MESSAGE_FIELDS.iter().find(|(p, _)| lower.contains(p)) {
            return (ErrorKind::BadRequestData, Some(field));
        }
    }
    if let Some((_, field)) = op.refs.iter().find(|(p, _)| code.starts_with(p)) {
        return (ErrorKind::BadRequestData, Some(field));
    }
    if op.target.iter().any(|p| code.starts_with(p)) {
        return (ErrorKind::NotFound, None);
    }
    let kind = match code {
        "AuthFailure"
        | "SignatureDoesNotMatch"
        | "IncompleteSignature"
        | "InvalidClientTokenId"
        | "MissingAuthenticationToken"
        | "UnauthorizedOperation"
        | "RequestExpired"
        | "ExpiredToken"
        | "OptInRequired"
        | "Blocked"
        | "PendingVerification"
        | "AccessDenied"
        | "UnrecognizedClientException"
        | "InvalidAccessKeyId" => ErrorKind::Unauthorized,
        "RequestLimitExceeded" | "Throttling" | "ThrottlingException" | "RequestThrottled" => {
            ErrorKind::Throttled
        }
        "InternalError"
        | "InternalFailure"
        | "ServiceUnavailable"
        | "Unavailable"
        | "InsufficientInstanceCapacity"
        | "InsufficientCapacity" => ErrorKind::CspFailure,
        "IncorrectState"
        | "IncorrectInstanceState"
        | "InvalidInstanceState"
        | "DependencyViolation"
        | "InvalidState"
        | "OperationNotPermitted"
        | "Unsupported"
        | "UnsupportedOperation"
        | "InvalidGroup.InUse"
        | "InvalidVpcState"
        | "ResourceInUse" => ErrorKind::InvalidRequest,
        c if c.ends_with("LimitExceeded") || c == "InsufficientFreeAddressesInSubnet" => {
            ErrorKind::QuotaExceeded
        }
        c if c.ends_with(".Duplicate") || c.ends_with("AlreadyExists") => ErrorKind::AlreadyExists,
        c if c.ends_with("NotFound") => ErrorKind::NotFound,
        c if c.starts_with("Invalid") || c == "MissingParameter" || c == "ValidationError" => {
            ErrorKind::BadRequestData
        }
        _ if status >= 500 => ErrorKind::CspFailure,
        _ => Error::kind_for_status(status),
    };
    (kind, None)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(op: &Op, code: &str) -> (ErrorKind, Option<String>) {
        let e = error(op, 400, code, "m");
        (e.0.kind, e.0.field)
    }

    #[test]
    fn referenced_objects_are_bad_data_targets_are_not_found() {
        assert_eq!(
            kind(&RUN_INSTANCES, "InvalidAMIID.NotFound"),
            (ErrorKind::BadRequestData, Some("image".into()))
        );
        assert_eq!(
            kind(&DESCRIBE_INSTANCES, "InvalidInstanceID.NotFound"),
            (ErrorKind::NotFound, None)
        );
        assert_eq!(
            kind(&GET_IMAGE, "InvalidAMIID.Malformed").0,
            ErrorKind::NotFound
        );
        assert_eq!(
            kind(&RUN_INSTANCES, "InvalidKeyPair.NotFound").1.as_deref(),
            Some("keypair")
        );
        let zone = error(
            &CREATE_SUBNET,
            400,
            "InvalidParameterValue",
            "Value (us-east-1z) for parameter availabilityZone is invalid.",
        );
        assert_eq!(zone.0.field.as_deref(), Some("zone"));
        let spec = error(
            &RUN_INSTANCES,
            400,
            "InvalidParameterValue",
            "Invalid value 't9.nano' for InstanceType.",
        );
        assert_eq!(spec.0.field.as_deref(), Some("spec"));
    }

    #[test]
    fn the_issue_table() {
        for (code, want) in [
            ("AuthFailure", ErrorKind::Unauthorized),
            ("SignatureDoesNotMatch", ErrorKind::Unauthorized),
            ("InvalidKeyPair.Duplicate", ErrorKind::AlreadyExists),
            ("InvalidGroup.Duplicate", ErrorKind::AlreadyExists),
            ("InvalidVpcID.NotFound", ErrorKind::NotFound),
            ("InvalidParameterValue", ErrorKind::BadRequestData),
            ("InvalidParameterCombination", ErrorKind::BadRequestData),
            ("RequestLimitExceeded", ErrorKind::Throttled),
            ("Throttling", ErrorKind::Throttled),
            ("DependencyViolation", ErrorKind::InvalidRequest),
            ("InstanceLimitExceeded", ErrorKind::QuotaExceeded),
        ] {
            assert_eq!(kind(&CREATE_KEY_PAIR, code).0, want, "{code}");
        }
        let e = error(&STOP, 503, "Unavailable", "try later");
        assert_eq!(e.0.kind, ErrorKind::CspFailure);
        assert_eq!(e.0.csp_code.as_deref(), Some("Unavailable"));
        assert_eq!(e.0.csp_message.as_deref(), Some("try later"));
        assert_eq!(
            error(&STOP, 502, "Whatever", "").0.kind,
            ErrorKind::CspFailure
        );
    }

    #[test]
    fn states() {
        assert_eq!(STATES.map("shutting-down"), VmStatus::Terminating);
        assert_eq!(STATES.map("stopped"), VmStatus::Suspended);
        assert_eq!(STATES.map("melting"), VmStatus::Undefined);
    }
}
