//! EC2's XML answers (Query API 2016-11-15), as far as the adapter reads them.
//!
//! Element names are EC2's camelCase; every list is an `<item>` list, read with
//! the SDK's [`List`]. Fields EC2 may leave out are `Option` or `default`, so a
//! leaner EC2-compatible cloud still parses. Unknown elements are ignored.

pub use mcgw_sdk::xml::List;
use serde::Deserialize;

/// An error answer: `<Response><Errors><Error>` (EC2) or
/// `<ErrorResponse><Error>` (the AWS-wide form some front ends send).
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ErrorResponse {
    #[serde(rename = "Errors")]
    pub errors: Option<Errors>,
    #[serde(rename = "Error")]
    pub error: Option<ErrorItem>,
}

#[derive(Deserialize, Default)]
pub struct Errors {
    #[serde(rename = "Error", default)]
    pub error: Vec<ErrorItem>,
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct ErrorItem {
    #[serde(rename = "Code")]
    pub code: String,
    #[serde(rename = "Message")]
    pub message: String,
}

impl ErrorResponse {
    /// The first error of the answer.
    pub fn first(self) -> Option<ErrorItem> {
        self.errors
            .and_then(|e| e.error.into_iter().next())
            .or(self.error)
            .filter(|e| !e.code.is_empty())
    }
}

/// `<tagSet><item><key/><value/></item></tagSet>`.
#[derive(Deserialize, Clone)]
pub struct Tag {
    pub key: String,
    #[serde(default)]
    pub value: String,
}

/// The `<name>` of a state element (`instanceState`, `currentState`, ...).
#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct State {
    pub name: String,
}

// ---- catalog ----

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Regions {
    #[serde(default)]
    pub region_info: List<Region>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Region {
    pub region_name: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Zones {
    #[serde(default)]
    pub availability_zone_info: List<Zone>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Zone {
    pub zone_name: String,
    /// `availability-zone`, `local-zone` or `wavelength-zone`.
    #[serde(default)]
    pub zone_type: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Images {
    #[serde(default)]
    pub images_set: List<Image>,
    pub next_token: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Image {
    pub image_id: String,
    #[serde(default)]
    pub name: String,
    pub description: Option<String>,
    #[serde(default)]
    pub image_state: String,
    #[serde(default)]
    pub is_public: bool,
    pub architecture: Option<String>,
    /// `windows` for Windows images, absent otherwise.
    pub platform: Option<String>,
    pub platform_details: Option<String>,
    pub root_device_name: Option<String>,
    #[serde(default)]
    pub block_device_mapping: List<BlockDevice>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BlockDevice {
    pub device_name: Option<String>,
    pub ebs: Option<Ebs>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Ebs {
    pub volume_size: Option<u32>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InstanceTypes {
    #[serde(default)]
    pub instance_type_set: List<InstanceType>,
    pub next_token: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InstanceType {
    pub instance_type: String,
    pub v_cpu_info: Option<VCpuInfo>,
    pub memory_info: Option<MemoryInfo>,
    pub instance_storage_info: Option<StorageInfo>,
    pub gpu_info: Option<GpuInfo>,
    pub processor_info: Option<ProcessorInfo>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VCpuInfo {
    pub default_v_cpus: u32,
}

#[derive(Deserialize)]
pub struct MemoryInfo {
    #[serde(rename = "sizeInMiB")]
    pub size_in_mib: u64,
}

#[derive(Deserialize)]
pub struct StorageInfo {
    #[serde(rename = "totalSizeInGB")]
    pub total_size_in_gb: Option<u32>,
}

#[derive(Deserialize)]
pub struct GpuInfo {
    #[serde(default)]
    pub gpus: List<Gpu>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Gpu {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub manufacturer: String,
    #[serde(default)]
    pub count: u32,
    pub memory_info: Option<MemoryInfo>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProcessorInfo {
    #[serde(default)]
    pub supported_architectures: List<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Offerings {
    #[serde(default)]
    pub instance_type_offering_set: List<Offering>,
    pub next_token: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Offering {
    pub instance_type: String,
}

// ---- network ----

#[derive(Deserialize)]
pub struct VpcCreated {
    pub vpc: Vpc,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Vpcs {
    #[serde(default)]
    pub vpc_set: List<Vpc>,
    pub next_token: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Vpc {
    pub vpc_id: String,
    #[serde(default)]
    pub state: String,
    #[serde(default)]
    pub cidr_block: String,
    #[serde(default)]
    pub tag_set: List<Tag>,
}

#[derive(Deserialize)]
pub struct SubnetCreated {
    pub subnet: Subnet,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Subnets {
    #[serde(default)]
    pub subnet_set: List<Subnet>,
    pub next_token: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Subnet {
    pub subnet_id: String,
    #[serde(default)]
    pub vpc_id: String,
    #[serde(default)]
    pub cidr_block: String,
    pub availability_zone: Option<String>,
    #[serde(default)]
    pub tag_set: List<Tag>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GatewayCreated {
    pub internet_gateway: Gateway,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Gateways {
    #[serde(default)]
    pub internet_gateway_set: List<Gateway>,
    pub next_token: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Gateway {
    pub internet_gateway_id: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RouteTables {
    #[serde(default)]
    pub route_table_set: List<RouteTable>,
    pub next_token: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RouteTable {
    pub route_table_id: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GroupCreated {
    pub group_id: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Groups {
    #[serde(default)]
    pub security_group_info: List<Group>,
    pub next_token: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Group {
    pub group_id: String,
    #[serde(default)]
    pub group_name: String,
    #[serde(default)]
    pub vpc_id: String,
    #[serde(default)]
    pub ip_permissions: List<Permission>,
    #[serde(default)]
    pub ip_permissions_egress: List<Permission>,
    #[serde(default)]
    pub tag_set: List<Tag>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Permission {
    /// `tcp`, `udp`, `icmp`, `-1` (all) or a protocol number.
    pub ip_protocol: String,
    pub from_port: Option<i32>,
    pub to_port: Option<i32>,
    #[serde(default)]
    pub ip_ranges: List<IpRange>,
    #[serde(default)]
    pub ipv6_ranges: List<Ipv6Range>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IpRange {
    pub cidr_ip: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Ipv6Range {
    pub cidr_ipv6: String,
}

// ---- key pairs ----

/// The answer to CreateKeyPair and ImportKeyPair (only the former has material).
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct KeyPairCreated {
    pub key_name: String,
    #[serde(default)]
    pub key_fingerprint: String,
    pub key_material: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct KeyPairs {
    #[serde(default)]
    pub key_set: List<KeyPair>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct KeyPair {
    pub key_name: String,
    #[serde(default)]
    pub key_fingerprint: String,
    pub public_key: Option<String>,
}

// ---- instances ----

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Reservation {
    #[serde(default)]
    pub instances_set: List<Instance>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Reservations {
    #[serde(default)]
    pub reservation_set: List<Reservation>,
    pub next_token: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Instance {
    pub instance_id: String,
    #[serde(default)]
    pub image_id: String,
    #[serde(default)]
    pub instance_state: State,
    #[serde(default)]
    pub instance_type: String,
    pub private_ip_address: Option<String>,
    pub ip_address: Option<String>,
    pub key_name: Option<String>,
    pub launch_time: Option<String>,
    pub placement: Option<Placement>,
    pub subnet_id: Option<String>,
    pub vpc_id: Option<String>,
    #[serde(default)]
    pub group_set: List<GroupRef>,
    #[serde(default)]
    pub tag_set: List<Tag>,
    /// Position in its launch (RunInstances with a count).
    pub ami_launch_index: Option<u32>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Placement {
    pub availability_zone: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GroupRef {
    pub group_id: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InstanceStatuses {
    #[serde(default)]
    pub instance_status_set: List<InstanceStatus>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InstanceStatus {
    pub instance_id: String,
    #[serde(default)]
    pub instance_state: State,
}

/// The answer to Start/Stop/TerminateInstances.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StateChanges {
    #[serde(default)]
    pub instances_set: List<StateChange>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StateChange {
    pub instance_id: String,
    #[serde(default)]
    pub current_state: State,
}

/// Each listing's items and next-page token.
macro_rules! pages {
    ($($page:ty => $field:ident: $item:ty),* $(,)?) => {$(
        impl crate::api::Page for $page {
            type Item = $item;
            fn split(self) -> (Vec<$item>, Option<String>) {
                (self.$field.into_vec(), self.next_token)
            }
        }
    )*};
}

pages! {
    Images => images_set: Image,
    InstanceTypes => instance_type_set: InstanceType,
    Offerings => instance_type_offering_set: Offering,
    Vpcs => vpc_set: Vpc,
    Subnets => subnet_set: Subnet,
    Gateways => internet_gateway_set: Gateway,
    RouteTables => route_table_set: RouteTable,
    Groups => security_group_info: Group,
    Reservations => reservation_set: Reservation,
}
