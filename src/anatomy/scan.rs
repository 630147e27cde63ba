//! Vulnerability counts from trivy or grype, when one is on `PATH`, normalised to one
//! scale (critical, high, medium, low, unknown; grype's "Negligible" counts as unknown).
//! Without a scanner the result says "not scanned", never zero.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

use super::model::VulnerabilityScan;

/// The reason given when no scanner is installed.
pub const NO_SCANNER: &str = "neither trivy nor grype is installed";

/// A supported scanner.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScannerKind {
    /// Aqua Security's trivy.
    Trivy,
    /// Anchore's grype.
    Grype,
}

impl ScannerKind {
    /// `trivy` or `grype`.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            ScannerKind::Trivy => "trivy",
            ScannerKind::Grype => "grype",
        }
    }
}

/// A scanner found on `PATH`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scanner {
    /// Which one.
    pub kind: ScannerKind,
    /// Its executable.
    pub(crate) program: PathBuf,
}

/// `VulnerabilityScan::NotScanned` with `reason`.
pub(crate) fn not_scanned(reason: &str) -> VulnerabilityScan {
    VulnerabilityScan::NotScanned {
        reason: reason.to_string(),
    }
}

/// The first of trivy, grype found on the process's `PATH`.
pub fn find_scanner() -> Option<Scanner> {
    find_scanner_in(&std::env::var_os("PATH").unwrap_or_default())
}

/// The first of trivy, grype found in the directories of `path_var` (a `PATH` value).
pub fn find_scanner_in(path_var: &OsStr) -> Option<Scanner> {
    [ScannerKind::Trivy, ScannerKind::Grype]
        .into_iter()
        .find_map(|kind| {
            std::env::split_paths(path_var)
                .map(|dir| dir.join(kind.as_str()))
                .find(|p| is_executable(p))
                .map(|program| Scanner { kind, program })
        })
}

fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

/// Scans a saved image archive with the scanner on `PATH`, or says why it did not.
pub(crate) fn scan_file(archive: &Path) -> VulnerabilityScan {
    match find_scanner() {
        Some(scanner) => run_scanner(&scanner, archive),
        None => not_scanned(NO_SCANNER),
    }
}

/// Runs `scanner` on `archive` (a `docker save` tarball) and parses its JSON report.
pub fn run_scanner(scanner: &Scanner, archive: &Path) -> VulnerabilityScan {
    let (args, version_args): (Vec<String>, Vec<&str>) = match scanner.kind {
        ScannerKind::Trivy => (
            vec![
                "image".into(),
                "--quiet".into(),
                "--format".into(),
                "json".into(),
                "--input".into(),
                archive.display().to_string(),
            ],
            vec!["version", "--format", "json"],
        ),
        ScannerKind::Grype => (
            vec![
                format!("docker-archive:{}", archive.display()),
                "-q".into(),
                "-o".into(),
                "json".into(),
            ],
            vec!["version", "-o", "json"],
        ),
    };
    let name = scanner.kind.as_str();
    let report = match Command::new(&scanner.program).args(&args).output() {
        Ok(out) if out.status.success() => out.stdout,
        Ok(out) => {
            let err = String::from_utf8_lossy(&out.stderr);
            let last = err
                .lines()
                .rev()
                .find(|l| !l.trim().is_empty())
                .unwrap_or("");
            return not_scanned(&format!("{name} failed ({}): {last}", out.status));
        }
        Err(e) => return not_scanned(&format!("{name} could not be started: {e}")),
    };
    let version = Command::new(&scanner.program)
        .args(&version_args)
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| o.stdout)
        .unwrap_or_default();
    let parsed = match scanner.kind {
        ScannerKind::Trivy => parse_trivy(&report, &version),
        ScannerKind::Grype => parse_grype(&report, &version),
    };
    parsed.unwrap_or_else(|e| {
        not_scanned(&format!(
            "{name} printed a report basebench cannot read: {e}"
        ))
    })
}

#[derive(Default)]
struct Counts {
    critical: u32,
    high: u32,
    medium: u32,
    low: u32,
    unknown: u32,
}

impl Counts {
    fn add(&mut self, severity: &str) {
        match severity.to_ascii_lowercase().as_str() {
            "critical" => self.critical += 1,
            "high" => self.high += 1,
            "medium" | "moderate" => self.medium += 1,
            "low" => self.low += 1,
            _ => self.unknown += 1, // unknown, negligible, none
        }
    }

    fn into_scan(self, scanner: String, db_date: Option<String>) -> VulnerabilityScan {
        VulnerabilityScan::Scanned {
            scanner,
            db_date,
            critical: self.critical,
            high: self.high,
            medium: self.medium,
            low: self.low,
            unknown: self.unknown,
        }
    }
}

fn text(v: &Value, pointer: &str) -> Option<String> {
    v.pointer(pointer)
        .and_then(Value::as_str)
        .map(str::to_string)
}

/// Parses `trivy image --format json` and `trivy version --format json` output.
pub fn parse_trivy(report: &[u8], version: &[u8]) -> Result<VulnerabilityScan, serde_json::Error> {
    let report: Value = serde_json::from_slice(report)?;
    let version: Value = serde_json::from_slice(version).unwrap_or(Value::Null);
    let mut counts = Counts::default();
    let results = report.get("Results").and_then(Value::as_array);
    for result in results.into_iter().flatten() {
        let vulns = result.get("Vulnerabilities").and_then(Value::as_array);
        for vuln in vulns.into_iter().flatten() {
            counts.add(vuln.get("Severity").and_then(Value::as_str).unwrap_or(""));
        }
    }
    let scanner = match text(&version, "/Version") {
        Some(v) => format!("trivy {v}"),
        None => "trivy".to_string(),
    };
    Ok(counts.into_scan(scanner, text(&version, "/VulnerabilityDB/UpdatedAt")))
}

/// Parses `grype -o json` output (its `descriptor` carries the version and database date;
/// `version` is the optional `grype version -o json` output, used when the report lacks it).
pub fn parse_grype(report: &[u8], version: &[u8]) -> Result<VulnerabilityScan, serde_json::Error> {
    let report: Value = serde_json::from_slice(report)?;
    let version: Value = serde_json::from_slice(version).unwrap_or(Value::Null);
    let mut counts = Counts::default();
    let matches = report.get("matches").and_then(Value::as_array);
    for m in matches.into_iter().flatten() {
        counts.add(&text(m, "/vulnerability/severity").unwrap_or_default());
    }
    let number = text(&report, "/descriptor/version").or_else(|| text(&version, "/version"));
    let scanner = match number {
        Some(v) => format!("grype {v}"),
        None => "grype".to_string(),
    };
    let db_date = text(&report, "/descriptor/db/built")
        .or_else(|| text(&report, "/descriptor/db/status/built"));
    Ok(counts.into_scan(scanner, db_date))
}
