//! The built-in region catalog: coverage, uniqueness, known facts, extension.

use std::collections::{BTreeMap, HashSet};

use mcgw_geo::{Catalog, Point, Region, great_circle_km};

#[test]
fn catalog_covers_the_big_four_and_sim() {
    let catalog = Catalog::builtin();
    assert!(catalog.len() >= 100, "{} regions", catalog.len());
    let providers = catalog.providers();
    assert!(providers.len() >= 5, "{providers:?}");
    for p in ["aws", "azure", "gcp", "alibaba", "sim"] {
        assert!(providers.contains(&p), "missing provider {p}");
    }
    let mut counts = BTreeMap::new();
    for r in catalog.regions() {
        *counts.entry(r.provider.as_str()).or_insert(0) += 1;
    }
    assert!(counts["aws"] >= 30, "{counts:?}");
    assert!(counts["azure"] >= 50, "{counts:?}");
    assert!(counts["gcp"] >= 40, "{counts:?}");
    assert!(counts["alibaba"] >= 20, "{counts:?}");
    assert_eq!(counts["sim"], 24, "{counts:?}");
}

#[test]
fn regions_are_unique_and_well_formed() {
    let catalog = Catalog::builtin();
    let mut seen = HashSet::new();
    for r in catalog.regions() {
        assert!(
            seen.insert((r.provider.clone(), r.code.clone())),
            "duplicate {}",
            r.key()
        );
        assert!((-90.0..=90.0).contains(&r.latitude), "{}", r.key());
        assert!((-180.0..=180.0).contains(&r.longitude), "{}", r.key());
        assert!(
            !(r.latitude == 0.0 && r.longitude == 0.0),
            "{} at null island",
            r.key()
        );
        assert_eq!(r.country.len(), 2, "{}: country {}", r.key(), r.country);
        assert!(
            r.country.chars().all(|c| c.is_ascii_uppercase()),
            "{}",
            r.key()
        );
        assert!(
            !r.display_name.is_empty() && !r.city.is_empty(),
            "{}",
            r.key()
        );
        assert_eq!(r.provider, r.provider.to_lowercase(), "{}", r.key());
        assert!(!r.code.contains(' '), "{}", r.key());
    }
}

/// Known cities, checked against independent coordinates (within 60 km).
#[test]
fn spot_check_known_regions() {
    let catalog = Catalog::builtin();
    let seoul = Point::new(37.57, 126.98);
    let cases: &[(&str, &str, &str, &str, Point)] = &[
        ("aws", "ap-northeast-2", "Seoul", "KR", seoul),
        ("azure", "koreacentral", "Seoul", "KR", seoul),
        ("gcp", "asia-northeast3", "Seoul", "KR", seoul),
        ("alibaba", "ap-northeast-2", "Seoul", "KR", seoul),
        (
            "alibaba",
            "cn-hangzhou",
            "Hangzhou",
            "CN",
            Point::new(30.27, 120.16),
        ),
        ("aws", "eu-west-1", "Dublin", "IE", Point::new(53.35, -6.26)),
        (
            "aws",
            "us-east-1",
            "Ashburn",
            "US",
            Point::new(39.04, -77.49),
        ),
        (
            "aws",
            "sa-east-1",
            "Sao Paulo",
            "BR",
            Point::new(-23.55, -46.63),
        ),
        (
            "azure",
            "westeurope",
            "Amsterdam",
            "NL",
            Point::new(52.37, 4.90),
        ),
        (
            "azure",
            "australiaeast",
            "Sydney",
            "AU",
            Point::new(-33.87, 151.21),
        ),
        (
            "gcp",
            "us-central1",
            "Council Bluffs",
            "US",
            Point::new(41.26, -95.86),
        ),
        (
            "gcp",
            "europe-west1",
            "St. Ghislain",
            "BE",
            Point::new(50.45, 3.82),
        ),
        (
            "gcp",
            "asia-south1",
            "Mumbai",
            "IN",
            Point::new(19.08, 72.88),
        ),
        (
            "alibaba",
            "ap-southeast-1",
            "Singapore",
            "SG",
            Point::new(1.35, 103.82),
        ),
        (
            "alibaba",
            "eu-central-1",
            "Frankfurt",
            "DE",
            Point::new(50.11, 8.68),
        ),
    ];
    for (provider, code, city, country, at) in cases {
        let r = catalog
            .get(provider, code)
            .unwrap_or_else(|| panic!("{provider}/{code} missing"));
        assert_eq!(r.city, *city, "{provider}/{code}");
        assert_eq!(r.country, *country, "{provider}/{code}");
        let off = great_circle_km(r.point(), *at);
        assert!(off < 60.0, "{provider}/{code} is {off:.0} km from {city}");
    }
}

/// The simulated cloud depends on these rows: they must never change.
#[test]
fn sim_rows_are_unchanged() {
    let catalog = Catalog::builtin();
    let codes: Vec<&str> = catalog.provider("sim").map(|r| r.code.as_str()).collect();
    assert_eq!(
        codes,
        [
            "ap-seoul",
            "ap-tokyo",
            "ap-osaka",
            "ap-singapore",
            "ap-hongkong",
            "ap-mumbai",
            "ap-sydney",
            "ap-jakarta",
            "eu-frankfurt",
            "eu-london",
            "eu-paris",
            "eu-stockholm",
            "eu-milan",
            "eu-madrid",
            "us-virginia",
            "us-ohio",
            "us-oregon",
            "us-california",
            "us-texas",
            "ca-montreal",
            "sa-saopaulo",
            "af-capetown",
            "me-dubai",
            "mx-queretaro"
        ]
    );
    let seoul = catalog.get("sim", "ap-seoul").unwrap();
    assert_eq!(
        seoul,
        &Region {
            provider: "sim".into(),
            code: "ap-seoul".into(),
            display_name: "Simulated Asia Pacific (Seoul)".into(),
            city: "Seoul".into(),
            country: "KR".into(),
            latitude: 37.5665,
            longitude: 126.9780,
        }
    );
    let queretaro = catalog.get("sim", "mx-queretaro").unwrap();
    assert_eq!(
        (queretaro.latitude, queretaro.longitude),
        (20.5888, -100.3899)
    );
}

#[test]
fn merge_overrides_and_adds() {
    let mut catalog = Catalog::builtin();
    let before = catalog.len();
    let extra = Catalog::from_csv(
        "provider,code,display_name,city,country,latitude,longitude\n\
         # an operator's corrections and private regions\n\
         aws,us-east-1,US East (N. Virginia),Sterling,US,39.0062,-77.4286\n\
         onprem,seoul-dc1,Seoul DC 1, Seoul ,KR,37.50,127.03\n",
    )
    .unwrap();
    catalog.merge(extra);
    assert_eq!(catalog.len(), before + 1);
    assert_eq!(catalog.get("aws", "us-east-1").unwrap().city, "Sterling");
    let dc = catalog.get("onprem", "seoul-dc1").unwrap();
    assert_eq!(dc.city, "Seoul", "cells are trimmed");
    assert!(catalog.providers().contains(&"onprem"));
}

#[test]
fn loads_an_operator_file() {
    let path = std::env::temp_dir().join(format!("mcgw-geo-catalog-{}.csv", std::process::id()));
    std::fs::write(
        &path,
        "provider,code,display_name,city,country,latitude,longitude\n\
         edge,fra-1,Edge Frankfurt,Frankfurt,DE,50.11,8.68\n",
    )
    .unwrap();
    let loaded = Catalog::from_csv_file(&path).unwrap();
    std::fs::remove_file(&path).unwrap();
    assert_eq!(loaded.len(), 1);
    assert_eq!(loaded.get("edge", "fra-1").unwrap().country, "DE");

    let missing = Catalog::from_csv_file("/nonexistent/regions.csv").unwrap_err();
    assert!(
        missing.to_string().contains("/nonexistent/regions.csv"),
        "{missing}"
    );
}

#[test]
fn bad_rows_are_rejected_with_their_row_number() {
    let err = Catalog::from_csv(
        "provider,code,display_name,city,country,latitude,longitude\n\
         x,a,A,A,AA,10,10\n\
         x,b,B,B,BB,95,10\n",
    )
    .unwrap_err();
    assert!(err.to_string().contains("row 3"), "{err}");
    assert!(err.to_string().contains("latitude"), "{err}");
}
