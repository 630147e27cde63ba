//! The little content anatomy needs from inside layers, taken while the layer streams:
//! small text files are buffered, package databases are counted line by line, and
//! `libc.so.6` is searched for its version string chunk by chunk.

use std::io::{self, BufRead, BufReader, Read};

/// Largest text file buffered whole (`/etc/passwd`, `/etc/os-release`, ...).
const MAX_TEXT: u64 = 1024 * 1024;

/// What was taken from one file of a layer.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Capture {
    /// The whole (small) file.
    Text(Vec<u8>),
    /// Installed packages in a dpkg `status` file or a `status.d/` entry.
    DpkgPackages(u32),
    /// Installed packages in apk's `installed` database, and the musl version it lists.
    ApkPackages {
        /// `P:` records.
        count: u32,
        /// `V:` of the `musl` package, when listed.
        musl_version: Option<String>,
    },
    /// Version found in a glibc `libc.so.6` (or `libc-X.Y.so`).
    Glibc(Option<String>),
    /// A Python source (`*.py`): its modification time (seconds), which a timestamp pyc
    /// must name.
    PySource {
        /// The tar header's mtime.
        mtime: u64,
    },
    /// The 16-byte header of a compiled module (`*.pyc`), `None` when the file is shorter.
    Pyc(Option<[u8; 16]>),
}

/// Which capture, if any, a regular file at `path` (normalised, no leading `/`) gets.
pub(crate) fn wanted(path: &str) -> Option<fn(&mut dyn Read) -> io::Result<Capture>> {
    match path {
        "etc/passwd" | "etc/group" | "etc/os-release" | "usr/lib/os-release" => Some(read_text),
        "var/lib/dpkg/status" => Some(count_dpkg),
        "lib/apk/db/installed" => Some(count_apk),
        _ if is_status_d_entry(path) => Some(count_dpkg),
        _ if is_glibc_name(file_name(path)) => Some(scan_glibc),
        _ => None,
    }
}

/// For a Python source, its mtime; for a compiled module, its 16-byte header (only the
/// header is read; the tar reader skips the rest). Anything else: nothing.
pub(crate) fn python<R: Read>(
    path: &str,
    entry: &mut tar::Entry<'_, R>,
) -> io::Result<Option<Capture>> {
    if path.ends_with(".py") {
        let mtime = entry.header().mtime().unwrap_or(0);
        return Ok(Some(Capture::PySource { mtime }));
    }
    if !path.ends_with(".pyc") {
        return Ok(None);
    }
    let mut header = [0u8; 16];
    let mut got = 0;
    while got < header.len() {
        match entry.read(&mut header[got..])? {
            0 => break,
            n => got += n,
        }
    }
    Ok(Some(Capture::Pyc((got == header.len()).then_some(header))))
}

/// The last component of a path.
pub(crate) fn file_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

/// True for a direct child of `var/lib/dpkg/status.d/` (distroless package records).
pub(crate) fn is_status_d_entry(path: &str) -> bool {
    path.strip_prefix("var/lib/dpkg/status.d/")
        .is_some_and(|rest| !rest.is_empty() && !rest.contains('/'))
}

/// True for `libc.so.6` and `libc-X.Y.so` file names.
pub(crate) fn is_glibc_name(name: &str) -> bool {
    name == "libc.so.6" || glibc_version_from_name(name).is_some()
}

/// `2.31` from `libc-2.31.so`.
pub(crate) fn glibc_version_from_name(name: &str) -> Option<String> {
    let version = name.strip_prefix("libc-")?.strip_suffix(".so")?;
    let ok = !version.is_empty() && version.chars().all(|c| c.is_ascii_digit() || c == '.');
    ok.then(|| version.to_string())
}

fn read_text(r: &mut dyn Read) -> io::Result<Capture> {
    let mut buf = Vec::new();
    r.take(MAX_TEXT).read_to_end(&mut buf)?;
    Ok(Capture::Text(buf))
}

/// Counts dpkg stanzas that name a package and, when they have a `Status:`, are installed.
fn count_dpkg(r: &mut dyn Read) -> io::Result<Capture> {
    let mut reader = BufReader::with_capacity(64 * 1024, r);
    let mut line = Vec::new();
    let (mut count, mut has_package, mut installed) = (0u32, false, true);
    loop {
        line.clear();
        let n = reader.read_until(b'\n', &mut line)?;
        let text = trim_eol(&line);
        if n == 0 || text.is_empty() {
            if has_package && installed {
                count += 1;
            }
            (has_package, installed) = (false, true);
            if n == 0 {
                return Ok(Capture::DpkgPackages(count));
            }
        } else if text.starts_with(b"Package:") {
            has_package = true;
        } else if let Some(status) = text.strip_prefix(b"Status:") {
            installed = status.ends_with(b" installed");
        }
    }
}

/// Counts apk `P:` records and notes the `musl` package's version.
fn count_apk(r: &mut dyn Read) -> io::Result<Capture> {
    let mut reader = BufReader::with_capacity(64 * 1024, r);
    let mut line = Vec::new();
    let (mut count, mut is_musl, mut musl_version) = (0u32, false, None);
    loop {
        line.clear();
        if reader.read_until(b'\n', &mut line)? == 0 {
            return Ok(Capture::ApkPackages {
                count,
                musl_version,
            });
        }
        let text = trim_eol(&line);
        if let Some(name) = text.strip_prefix(b"P:") {
            count += 1;
            is_musl = name == b"musl";
        } else if let Some(version) = text.strip_prefix(b"V:").filter(|_| is_musl) {
            musl_version = Some(String::from_utf8_lossy(version).into_owned());
        }
    }
}

fn trim_eol(line: &[u8]) -> &[u8] {
    let line = line.strip_suffix(b"\n").unwrap_or(line);
    line.strip_suffix(b"\r").unwrap_or(line)
}

/// Searches a glibc binary for `GNU C Library ... release version X.Y` in chunks.
fn scan_glibc(r: &mut dyn Read) -> io::Result<Capture> {
    const KEEP: usize = 256;
    let mut window: Vec<u8> = Vec::with_capacity(64 * 1024 + KEEP);
    let mut chunk = vec![0u8; 64 * 1024];
    let mut found = None;
    loop {
        let n = r.read(&mut chunk)?;
        if n == 0 {
            return Ok(Capture::Glibc(found));
        }
        if found.is_some() {
            continue; // drain the rest of the entry
        }
        window.extend_from_slice(&chunk[..n]);
        found = glibc_version_in(&window);
        let cut = window.len().saturating_sub(KEEP);
        window.drain(..cut);
    }
}

/// Finds `release version X.Y` within 200 bytes after `GNU C Library`.
pub(crate) fn glibc_version_in(hay: &[u8]) -> Option<String> {
    let mut from = 0;
    while let Some(start) = find(&hay[from..], b"GNU C Library").map(|i| i + from) {
        from = start + 1;
        let tail = &hay[start..hay.len().min(start + 200)];
        let Some(at) = find(tail, b"release version ").map(|i| i + b"release version ".len())
        else {
            continue;
        };
        let digits = tail[at..]
            .iter()
            .take_while(|b| b.is_ascii_digit() || **b == b'.')
            .count();
        // Only accept it once the whole number is in the window.
        if digits > 0 && at + digits < tail.len() {
            let version = String::from_utf8_lossy(&tail[at..at + digits]);
            return Some(version.trim_end_matches('.').to_string());
        }
    }
    None
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn counts_only_installed_dpkg_stanzas() {
        let status = b"Package: a\nStatus: install ok installed\n\nPackage: b\nStatus: deinstall ok config-files\n\nPackage: c\n";
        let got = count_dpkg(&mut &status[..]).unwrap();
        assert_eq!(got, Capture::DpkgPackages(2));
    }

    #[test]
    fn counts_apk_records_and_reads_the_musl_version() {
        let db = b"C:x\nP:musl\nV:1.2.4-r2\n\nP:busybox\nV:1.36.1-r5\n\n";
        let got = count_apk(&mut &db[..]).unwrap();
        assert_eq!(
            got,
            Capture::ApkPackages {
                count: 2,
                musl_version: Some("1.2.4-r2".into())
            }
        );
    }

    #[test]
    fn finds_the_glibc_version_across_chunk_boundaries() {
        let mut blob = vec![0u8; 100_000];
        blob.extend_from_slice(
            b"GNU C Library (Debian GLIBC 2.36-9) stable release version 2.36.\n",
        );
        blob.extend_from_slice(&[0u8; 70_000]);
        let got = scan_glibc(&mut &blob[..]).unwrap();
        assert_eq!(got, Capture::Glibc(Some("2.36".into())));
    }

    #[test]
    fn reads_the_glibc_version_from_old_file_names() {
        assert_eq!(
            glibc_version_from_name("libc-2.31.so").as_deref(),
            Some("2.31")
        );
        assert!(glibc_version_from_name("libc-client.so").is_none());
        assert!(is_status_d_entry("var/lib/dpkg/status.d/libc6"));
        assert!(!is_status_d_entry("var/lib/dpkg/status.d/"));
    }
}
