//! The Debian mirror stand-ins are built from: the one a setting names (`--mirror URL`,
//! `BASEBENCH_DEBIAN_MIRROR`, or `mirror = "URL"` in basebench.toml's `[bases]` table),
//! else the one the host's apt already uses (`/etc/apt/sources.list`,
//! `/etc/apt/sources.list.d/*.list` and deb822 `*.sources`). There is no built-in default:
//! with neither, building a stand-in stops and says which setting to give.

use std::path::{Path, PathBuf};

/// Debian release the stand-ins are made of.
pub(crate) const SUITE: &str = "bookworm";
/// Environment variable behind `--mirror` (main archive URI).
pub const MIRROR_ENV: &str = "BASEBENCH_DEBIAN_MIRROR";
/// Environment variable naming the directory the host's apt sources are read from
/// (default `/etc/apt`).
pub const APT_DIR_ENV: &str = "BASEBENCH_APT_DIR";
/// What to do when no mirror is known: the settings that give one.
pub(crate) const HOW_TO_SET: &str = "give a Debian archive with --mirror URL, BASEBENCH_DEBIAN_MIRROR=URL \
     or `mirror = \"URL\"` in basebench.toml's [bases] table (e.g. \
     http://mirror.example.com/debian)";

/// A Debian archive to build from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mirror {
    /// Main archive, e.g. `http://mirror.example.com/debian`.
    pub uri: String,
    /// Security archive, e.g. `http://mirror.example.com/debian-security`; `None` skips it.
    pub(crate) security_uri: Option<String>,
    /// Release, e.g. `bookworm`.
    pub suite: String,
}

impl Mirror {
    /// A mirror with only a main archive (no updates or security suites).
    pub fn main_only(uri: &str) -> Mirror {
        Mirror {
            uri: uri.to_string(),
            security_uri: None,
            suite: SUITE.to_string(),
        }
    }

    /// The one-line sources passed to mmdebstrap (and written into chroot images).
    pub(crate) fn source_lines(&self) -> Vec<String> {
        let mut lines = vec![
            format!("deb {} {} main", self.uri, self.suite),
            format!("deb {} {}-updates main", self.uri, self.suite),
        ];
        if let Some(security) = &self.security_uri {
            lines.push(format!("deb {security} {}-security main", self.suite));
        }
        lines
    }

    /// The mirror to build from: `setting` (the main archive's URI from `--mirror`,
    /// `BASEBENCH_DEBIAN_MIRROR` or `[bases] mirror`) when given, else the host's apt
    /// sources under `/etc/apt` (or `BASEBENCH_APT_DIR`); `None` when neither names one.
    pub(crate) fn choose(setting: Option<&str>) -> Option<Mirror> {
        let apt_dir = std::env::var_os(APT_DIR_ENV)
            .filter(|d| !d.is_empty())
            .map_or_else(|| PathBuf::from("/etc/apt"), PathBuf::from);
        Mirror::choose_in(setting, &apt_dir)
    }

    /// [`Mirror::choose`] with the host's apt sources read from `apt_dir`.
    pub(crate) fn choose_in(setting: Option<&str>, apt_dir: &Path) -> Option<Mirror> {
        match setting.map(str::trim).filter(|s| !s.is_empty()) {
            Some(uri) => Some(Mirror::main_only(uri)),
            None => from_entries(&read_host_sources(apt_dir)),
        }
    }
}

/// Check a mirror setting: an archive URL such as `http://mirror.example.com/debian`
/// (any scheme apt knows: `http`, `https`, `file`, ...). The error says what is wrong.
pub(crate) fn check_uri(uri: &str) -> Result<(), String> {
    let usable = uri
        .split_once("://")
        .is_some_and(|(scheme, rest)| !scheme.is_empty() && !rest.is_empty())
        && !uri.chars().any(char::is_whitespace);
    if usable {
        Ok(())
    } else {
        Err(format!(
            "must be the URL of a Debian archive, e.g. \"http://mirror.example.com/debian\" (got '{uri}')"
        ))
    }
}

/// One `deb` source: an archive URI and the suites it serves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SourceEntry {
    /// Archive URI.
    pub(crate) uri: String,
    /// Suites served, e.g. `bookworm`, `bookworm-security`.
    pub(crate) suites: Vec<String>,
}

/// Pick the main and security archives for [`SUITE`] from apt source entries.
pub(crate) fn from_entries(entries: &[SourceEntry]) -> Option<Mirror> {
    let serves = |suite: &str| {
        entries
            .iter()
            .find(|e| e.suites.iter().any(|s| s == suite))
            .map(|e| e.uri.trim_end_matches('/').to_string())
    };
    let uri = serves(SUITE)?;
    Some(Mirror {
        uri,
        security_uri: serves(&format!("{SUITE}-security")),
        suite: SUITE.to_string(),
    })
}

/// Read `sources.list` (one-line format) and `sources.list.d/*.list|*.sources` under
/// `apt_dir`. Unreadable files are skipped.
pub(crate) fn read_host_sources(apt_dir: &Path) -> Vec<SourceEntry> {
    let mut entries = Vec::new();
    if let Ok(text) = std::fs::read_to_string(apt_dir.join("sources.list")) {
        entries.extend(parse_one_line(&text));
    }
    let Ok(dir) = std::fs::read_dir(apt_dir.join("sources.list.d")) else {
        return entries;
    };
    let mut paths: Vec<_> = dir.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for path in paths {
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue;
        };
        match path.extension().and_then(|e| e.to_str()) {
            Some("list") => entries.extend(parse_one_line(&text)),
            Some("sources") => entries.extend(parse_deb822(&text)),
            _ => {}
        }
    }
    entries
}

/// Parse one-line `deb [options] URI SUITE COMPONENT...` entries.
pub(crate) fn parse_one_line(text: &str) -> Vec<SourceEntry> {
    text.lines()
        .filter_map(|line| {
            let line = line.split('#').next().unwrap_or("").trim();
            let rest = line.strip_prefix("deb ")?.trim_start();
            let rest = match rest.strip_prefix('[') {
                Some(opts) => opts.split_once(']')?.1,
                None => rest,
            };
            let mut words = rest.split_whitespace();
            let uri = words.next()?.to_string();
            let suite = words.next()?.to_string();
            Some(SourceEntry {
                uri,
                suites: vec![suite],
            })
        })
        .collect()
}

/// Parse deb822 stanzas (`Types: deb`, `URIs:`, `Suites:`); disabled stanzas are skipped.
pub(crate) fn parse_deb822(text: &str) -> Vec<SourceEntry> {
    let mut entries = Vec::new();
    for stanza in text.split("\n\n") {
        let field = |name: &str| {
            stanza
                .lines()
                .filter(|l| !l.trim_start().starts_with('#'))
                .find_map(|l| l.strip_prefix(name).and_then(|v| v.strip_prefix(':')))
                .map(|v| v.split_whitespace().map(str::to_string).collect::<Vec<_>>())
                .unwrap_or_default()
        };
        let enabled = field("Enabled").first().is_none_or(|v| v != "no");
        if !enabled || !field("Types").iter().any(|t| t == "deb") {
            continue;
        }
        let suites = field("Suites");
        entries.extend(field("URIs").into_iter().map(|uri| SourceEntry {
            uri,
            suites: suites.clone(),
        }));
    }
    entries
}

#[cfg(test)]
mod tests {
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
}
