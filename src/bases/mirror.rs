//! The Debian mirror stand-ins are built from: the one the host's apt already uses
//! (`/etc/apt/sources.list` and `/etc/apt/sources.list.d/*`), else deb.debian.org.

use std::path::Path;

/// Debian release the stand-ins are made of.
pub const SUITE: &str = "bookworm";
/// Mirror used when the host has no Debian source configured.
pub const DEFAULT_MIRROR: &str = "http://deb.debian.org/debian";
/// Environment variable that overrides the mirror (main archive URI).
pub const MIRROR_ENV: &str = "BASEBENCH_DEBIAN_MIRROR";

/// A Debian archive to build from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mirror {
    /// Main archive, e.g. `http://deb.debian.org/debian`.
    pub uri: String,
    /// Security archive, e.g. `http://deb.debian.org/debian-security`; `None` skips it.
    pub security_uri: Option<String>,
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
    pub fn source_lines(&self) -> Vec<String> {
        let mut lines = vec![
            format!("deb {} {} main", self.uri, self.suite),
            format!("deb {} {}-updates main", self.uri, self.suite),
        ];
        if let Some(security) = &self.security_uri {
            lines.push(format!("deb {security} {}-security main", self.suite));
        }
        lines
    }

    /// The mirror from `BASEBENCH_DEBIAN_MIRROR`, else the host's apt sources, else
    /// deb.debian.org.
    pub fn from_host() -> Mirror {
        if let Some(uri) = std::env::var(MIRROR_ENV)
            .ok()
            .filter(|u| !u.trim().is_empty())
        {
            return Mirror::main_only(uri.trim());
        }
        let entries = read_host_sources(Path::new("/etc/apt"));
        from_entries(&entries).unwrap_or_else(|| Mirror {
            uri: DEFAULT_MIRROR.to_string(),
            security_uri: Some("http://deb.debian.org/debian-security".to_string()),
            suite: SUITE.to_string(),
        })
    }
}

/// One `deb` source: an archive URI and the suites it serves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceEntry {
    /// Archive URI.
    pub uri: String,
    /// Suites served, e.g. `bookworm`, `bookworm-security`.
    pub suites: Vec<String>,
}

/// Pick the main and security archives for [`SUITE`] from apt source entries.
pub fn from_entries(entries: &[SourceEntry]) -> Option<Mirror> {
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
pub fn read_host_sources(apt_dir: &Path) -> Vec<SourceEntry> {
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
pub fn parse_one_line(text: &str) -> Vec<SourceEntry> {
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
pub fn parse_deb822(text: &str) -> Vec<SourceEntry> {
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
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    const DEB822: &str = "Types: deb\n# http://snapshot.debian.org/archive/debian/2025\n\
        URIs: http://deb.debian.org/debian\nSuites: bookworm bookworm-updates\n\
        Components: main\n\nTypes: deb\nURIs: http://deb.debian.org/debian-security\n\
        Suites: bookworm-security\nComponents: main\n";

    #[test]
    fn reads_main_and_security_archives_from_deb822_sources() {
        let mirror = from_entries(&parse_deb822(DEB822)).unwrap();
        assert_eq!(mirror.uri, "http://deb.debian.org/debian");
        assert_eq!(
            mirror.security_uri.as_deref(),
            Some("http://deb.debian.org/debian-security")
        );
        assert_eq!(mirror.source_lines().len(), 3);
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
        let text = "deb https://packages.cloud.google.com/apt cloud-sdk-bookworm main\n";
        assert_eq!(from_entries(&parse_one_line(text)), None);
    }
}
