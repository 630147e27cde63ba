//! Tests of choosing the Debian mirror: settings, the host's apt sources, and neither.

#![allow(clippy::unwrap_used)]

use std::fs;

use super::*;

const DEB822: &str = "Types: deb\n# http://snapshot.example.org/archive/debian/2025\n\
    URIs: http://mirror.example.com/debian\nSuites: bookworm bookworm-updates\n\
    Components: main\n\nTypes: deb\nURIs: http://mirror.example.com/debian-security\n\
    Suites: bookworm-security\nComponents: main\n";

/// An `/etc/apt` look-alike holding `sources.list.d/<name>` with `text`.
fn apt_dir(name: &str, text: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir(dir.path().join("sources.list.d")).unwrap();
    fs::write(dir.path().join("sources.list.d").join(name), text).unwrap();
    dir
}

#[test]
fn reads_main_and_security_archives_from_deb822_sources() {
    let mirror = from_entries(&parse_deb822(DEB822)).unwrap();
    assert_eq!(mirror.uri, "http://mirror.example.com/debian");
    assert_eq!(
        mirror.security_uri.as_deref(),
        Some("http://mirror.example.com/debian-security")
    );
    assert_eq!(
        mirror.source_lines(),
        [
            "deb http://mirror.example.com/debian bookworm main",
            "deb http://mirror.example.com/debian bookworm-updates main",
            "deb http://mirror.example.com/debian-security bookworm-security main",
        ]
    );
}

#[test]
fn reads_one_line_sources_with_options() {
    let text = "# comment\ndeb [signed-by=/k.gpg] https://mirror.example/debian/ bookworm main\n\
                deb-src http://x bookworm main\n";
    let mirror = from_entries(&parse_one_line(text)).unwrap();
    assert_eq!(mirror.uri, "https://mirror.example/debian");
    assert_eq!(mirror.security_uri, None);
}

#[test]
fn ignores_sources_for_other_suites() {
    let text = "deb https://packages.example.com/apt cloud-sdk-bookworm main\n";
    assert_eq!(from_entries(&parse_one_line(text)), None);
}

#[test]
fn the_host_sources_give_the_mirror_when_no_setting_does() {
    let dir = apt_dir("debian.sources", DEB822);
    let mirror = Mirror::choose_in(None, dir.path()).unwrap();
    assert_eq!(mirror.uri, "http://mirror.example.com/debian");
    assert!(mirror.security_uri.is_some());
    // A blank setting (an empty environment variable) counts as none.
    assert_eq!(Mirror::choose_in(Some("  "), dir.path()), Some(mirror));
}

#[test]
fn a_setting_wins_over_the_host_sources() {
    let dir = apt_dir("debian.sources", DEB822);
    let mirror = Mirror::choose_in(Some(" http://other.example.net/debian "), dir.path());
    assert_eq!(
        mirror,
        Some(Mirror::main_only("http://other.example.net/debian"))
    );
}

#[test]
fn with_neither_a_setting_nor_a_debian_source_there_is_no_mirror() {
    let dir = apt_dir(
        "other.list",
        "deb https://packages.example.com/apt stable main\n",
    );
    assert_eq!(Mirror::choose_in(None, dir.path()), None);
    let empty = tempfile::tempdir().unwrap();
    assert_eq!(Mirror::choose_in(None, empty.path()), None);
}

#[test]
fn a_mirror_setting_must_be_an_archive_url() {
    for good in [
        "http://mirror.example.com/debian",
        "https://mirror.example.com/debian/",
        "file:///srv/debian",
    ] {
        assert_eq!(check_uri(good), Ok(()), "{good}");
    }
    for bad in [
        "mirror.example.com/debian",
        "http://",
        "://x",
        "http://a b",
        "",
    ] {
        let err = check_uri(bad).unwrap_err();
        assert!(err.contains(&format!("(got '{bad}')")), "{err}");
    }
}
