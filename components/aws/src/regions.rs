//! The AWS regions this adapter knows by name: their human names and where
//! they are (EC2's DescribeRegions gives neither), and the EC2 endpoint of
//! each, which is also the adapter's outbound allow-list.
//!
//! The allow-list is explicit rather than `*.amazonaws.com`: that pattern would
//! also let the adapter reach any S3 bucket or other AWS-hosted service. A
//! region added by AWS after this table works through the connection's
//! `endpoint` (always allowed) until the table is updated.

/// (code, display name, latitude, longitude) of the region's metro area.
const REGIONS: &[(&str, &str, f64, f64)] = &[
    ("us-east-1", "US East (N. Virginia)", 38.95, -77.45),
    ("us-east-2", "US East (Ohio)", 39.96, -83.00),
    ("us-west-1", "US West (N. California)", 37.35, -121.96),
    ("us-west-2", "US West (Oregon)", 45.84, -119.70),
    ("af-south-1", "Africa (Cape Town)", -33.92, 18.42),
    ("ap-east-1", "Asia Pacific (Hong Kong)", 22.32, 114.17),
    ("ap-east-2", "Asia Pacific (Taipei)", 25.03, 121.56),
    ("ap-south-1", "Asia Pacific (Mumbai)", 19.08, 72.88),
    ("ap-south-2", "Asia Pacific (Hyderabad)", 17.39, 78.49),
    ("ap-southeast-1", "Asia Pacific (Singapore)", 1.35, 103.82),
    ("ap-southeast-2", "Asia Pacific (Sydney)", -33.87, 151.21),
    ("ap-southeast-3", "Asia Pacific (Jakarta)", -6.21, 106.85),
    ("ap-southeast-4", "Asia Pacific (Melbourne)", -37.81, 144.96),
    ("ap-southeast-5", "Asia Pacific (Malaysia)", 3.15, 101.69),
    ("ap-southeast-7", "Asia Pacific (Thailand)", 13.76, 100.50),
    ("ap-northeast-1", "Asia Pacific (Tokyo)", 35.68, 139.69),
    ("ap-northeast-2", "Asia Pacific (Seoul)", 37.57, 126.98),
    ("ap-northeast-3", "Asia Pacific (Osaka)", 34.69, 135.50),
    ("ca-central-1", "Canada (Central)", 45.50, -73.57),
    ("ca-west-1", "Canada West (Calgary)", 51.05, -114.07),
    ("eu-central-1", "Europe (Frankfurt)", 50.11, 8.68),
    ("eu-central-2", "Europe (Zurich)", 47.38, 8.54),
    ("eu-west-1", "Europe (Ireland)", 53.35, -6.26),
    ("eu-west-2", "Europe (London)", 51.51, -0.13),
    ("eu-west-3", "Europe (Paris)", 48.86, 2.35),
    ("eu-north-1", "Europe (Stockholm)", 59.33, 18.07),
    ("eu-south-1", "Europe (Milan)", 45.46, 9.19),
    ("eu-south-2", "Europe (Spain)", 41.65, -0.88),
    ("il-central-1", "Israel (Tel Aviv)", 32.09, 34.78),
    ("me-south-1", "Middle East (Bahrain)", 26.07, 50.56),
    ("me-central-1", "Middle East (UAE)", 24.45, 54.38),
    ("mx-central-1", "Mexico (Central)", 20.59, -100.39),
    ("sa-east-1", "South America (Sao Paulo)", -23.55, -46.63),
    ("us-gov-east-1", "AWS GovCloud (US-East)", 39.96, -83.00),
    ("us-gov-west-1", "AWS GovCloud (US-West)", 45.60, -121.20),
    ("cn-north-1", "China (Beijing)", 39.90, 116.40),
    ("cn-northwest-1", "China (Ningxia)", 38.47, 106.27),
];

/// Human name and location of a known region.
pub fn lookup(code: &str) -> Option<(&'static str, f64, f64)> {
    REGIONS
        .iter()
        .find(|r| r.0 == code)
        .map(|&(_, name, lat, lon)| (name, lat, lon))
}

/// A region code is lower-case letters, digits and dashes: anything else
/// would change the endpoint's host name.
pub fn is_valid_code(code: &str) -> bool {
    !code.is_empty()
        && code.len() <= 32
        && code
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// The public EC2 endpoint of a region (China has its own domain).
pub fn endpoint_host(code: &str) -> String {
    if code.starts_with("cn-") {
        format!("ec2.{code}.amazonaws.com.cn")
    } else {
        format!("ec2.{code}.amazonaws.com")
    }
}

/// The hosts this adapter may call: the EC2 endpoint of every known region.
pub fn outbound_hosts() -> Vec<String> {
    REGIONS.iter().map(|r| endpoint_host(r.0)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints_and_codes() {
        assert_eq!(endpoint_host("eu-west-1"), "ec2.eu-west-1.amazonaws.com");
        assert_eq!(
            endpoint_host("cn-north-1"),
            "ec2.cn-north-1.amazonaws.com.cn"
        );
        assert!(is_valid_code("ap-southeast-7"));
        assert!(!is_valid_code("evil.com/x"));
        assert!(!is_valid_code(""));
        assert_eq!(outbound_hosts().len(), REGIONS.len());
        assert!(lookup("us-east-1").is_some() && lookup("xx-1").is_none());
    }
}
