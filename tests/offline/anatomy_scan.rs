//! Vulnerability scanners: PATH detection, JSON parsing of trivy and grype reports in their
//! documented shapes, and a run through a stand-in scanner script.

#![allow(clippy::unwrap_used)]

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use basebench::anatomy::VulnerabilityScan;
use basebench::anatomy::scan::{
    NO_SCANNER, ScannerKind, find_scanner_in, parse_grype, parse_trivy, run_scanner,
};

fn fixture(name: &str) -> Vec<u8> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/anatomy")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("fixture {}: {e}", path.display()))
}

fn counts(scan: &VulnerabilityScan) -> (u32, u32, u32, u32, u32) {
    match scan {
        VulnerabilityScan::Scanned {
            critical,
            high,
            medium,
            low,
            unknown,
            ..
        } => (*critical, *high, *medium, *low, *unknown),
        other => panic!("expected a scan, got {other:?}"),
    }
}

fn executable(dir: &Path, name: &str, script: &str) {
    let path = dir.join(name);
    std::fs::write(&path, script).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
}

#[test]
fn trivy_reports_are_counted_by_severity_with_version_and_db_date() {
    let scan = parse_trivy(
        &fixture("trivy-report.json"),
        &fixture("trivy-version.json"),
    )
    .unwrap();
    assert_eq!(counts(&scan), (1, 2, 2, 1, 1));
    let VulnerabilityScan::Scanned {
        scanner, db_date, ..
    } = scan
    else {
        unreachable!()
    };
    assert_eq!(scanner, "trivy 0.50.1");
    assert_eq!(db_date.as_deref(), Some("2024-03-01T06:12:44Z"));
}

#[test]
fn grype_negligible_counts_as_unknown_and_both_db_shapes_give_a_date() {
    let scan = parse_grype(&fixture("grype-report.json"), b"").unwrap();
    assert_eq!(counts(&scan), (1, 1, 1, 1, 2));
    let VulnerabilityScan::Scanned {
        scanner, db_date, ..
    } = scan
    else {
        unreachable!()
    };
    assert_eq!(
        (scanner.as_str(), db_date.as_deref()),
        ("grype 0.74.7", Some("2024-03-01T01:24:47Z"))
    );
    let v6 = parse_grype(&fixture("grype-report-v6.json"), b"").unwrap();
    assert_eq!(counts(&v6), (0, 1, 0, 0, 0));
    let VulnerabilityScan::Scanned { db_date, .. } = v6 else {
        unreachable!()
    };
    assert_eq!(db_date.as_deref(), Some("2025-05-20T01:30:00Z"));
}

#[test]
fn an_unreadable_report_is_an_error_not_zero() {
    assert!(parse_trivy(b"not json", b"").is_err());
    assert!(parse_grype(b"", b"").is_err());
}

#[test]
fn scanners_are_found_on_path_trivy_first_and_only_when_executable() {
    let empty = tempfile::tempdir().unwrap();
    let with = tempfile::tempdir().unwrap();
    assert_eq!(find_scanner_in(empty.path().as_os_str()), None);
    std::fs::write(with.path().join("trivy"), "not executable").unwrap();
    executable(with.path(), "grype", "#!/bin/sh\n");
    let path = std::env::join_paths([empty.path(), with.path()]).unwrap();
    let found = find_scanner_in(&path).unwrap();
    assert_eq!(found.kind, ScannerKind::Grype);
    executable(with.path(), "trivy", "#!/bin/sh\n");
    assert_eq!(find_scanner_in(&path).unwrap().kind, ScannerKind::Trivy);
}

#[test]
fn a_stand_in_trivy_is_run_on_the_archive_and_its_report_parsed() {
    let dir = tempfile::tempdir().unwrap();
    let report = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/anatomy");
    let script = format!(
        "#!/bin/sh\nif [ \"$1\" = version ]; then cat '{0}/trivy-version.json'; exit 0; fi\n\
         [ \"$1 $6\" = \"image /some/image.tar\" ] || {{ echo \"bad args: $*\" >&2; exit 3; }}\n\
         cat '{0}/trivy-report.json'\n",
        report.display()
    );
    executable(dir.path(), "trivy", &script);
    let scanner = find_scanner_in(dir.path().as_os_str()).unwrap();
    let scan = run_scanner(&scanner, Path::new("/some/image.tar"));
    assert_eq!(counts(&scan), (1, 2, 2, 1, 1));

    let failing = run_scanner(&scanner, Path::new("/other.tar"));
    let VulnerabilityScan::NotScanned { reason } = failing else {
        panic!("{failing:?}")
    };
    assert!(
        reason.contains("trivy failed") && reason.contains("bad args"),
        "{reason}"
    );
}

#[test]
fn without_a_scanner_the_reason_is_explicit() {
    assert_eq!(NO_SCANNER, "neither trivy nor grype is installed");
    let default = VulnerabilityScan::default();
    assert!(matches!(default, VulnerabilityScan::NotScanned { .. }));
}
