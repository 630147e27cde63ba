//! The only code that writes result files. Every file is written atomically (temporary
//! file in the same directory, then rename), so a reader never sees a half-written report
//! and an interrupted run keeps the last complete set. Files get the mode the umask allows
//! (0644 under the usual 022), as any tool's new files do.

use std::fs::{self, OpenOptions};
use std::io::{self, Write};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

/// A file failed to write; names the path and what to do.
#[derive(Debug, thiserror::Error)]
#[error("cannot write '{}': {source}. Check that the directory exists and is writable, or choose another with --output.", path.display())]
pub(crate) struct WriteError {
    pub(crate) path: PathBuf,
    #[source]
    pub(crate) source: io::Error,
}

/// Write `bytes` to `path` atomically.
pub(crate) fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), WriteError> {
    let fail = |source| WriteError {
        path: path.to_path_buf(),
        source,
    };
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    // 0666 as asked for, less the umask (as `open(2)` applies it): the mode any tool gives
    // a new file, not a temporary file's 0600.
    let mut temp = tempfile::Builder::new()
        .prefix(".basebench-")
        .permissions(fs::Permissions::from_mode(0o666))
        .tempfile_in(dir)
        .map_err(fail)?;
    temp.write_all(bytes).map_err(fail)?;
    temp.as_file().sync_all().map_err(fail)?;
    temp.persist(path).map_err(|e| fail(e.error))?;
    Ok(())
}

/// Append one line to a file (creating it), flushed to disk.
pub(crate) fn append_line(path: &Path, line: &str) -> Result<(), WriteError> {
    let fail = |source| WriteError {
        path: path.to_path_buf(),
        source,
    };
    if let Some(dir) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        fs::create_dir_all(dir).map_err(fail)?;
    }
    let mut file = OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .map_err(fail)?;
    let mut text = line.trim_end_matches('\n').to_string();
    text.push('\n');
    file.write_all(text.as_bytes()).map_err(fail)?;
    file.sync_all().map_err(fail)
}

/// Where a run's reports go when its output directory cannot take them (a full disk):
/// `basebench-<run-id>` in the system's temporary directory.
pub(crate) fn fallback_dir(run_id: &str) -> PathBuf {
    std::env::temp_dir().join(format!("basebench-{run_id}"))
}

/// The directory a run writes its reports to, checked before the first build.
#[derive(Debug, Clone)]
pub(crate) struct OutputDir {
    dir: PathBuf,
}

impl OutputDir {
    /// Create `dir` if needed and prove it is writable, so a long run never ends unable
    /// to save what it measured.
    pub(crate) fn prepare(dir: &Path) -> Result<OutputDir, WriteError> {
        let fail = |source| WriteError {
            path: dir.to_path_buf(),
            source,
        };
        fs::create_dir_all(dir).map_err(fail)?;
        let probe = tempfile::Builder::new()
            .prefix(".basebench-probe-")
            .tempfile_in(dir)
            .map_err(fail)?;
        drop(probe);
        Ok(OutputDir {
            dir: dir.to_path_buf(),
        })
    }

    /// The directory.
    pub(crate) fn path(&self) -> &Path {
        &self.dir
    }

    /// Write named files (`file_name`, bytes) atomically into the directory.
    pub(crate) fn write_all<'a>(
        &self,
        files: impl IntoIterator<Item = (&'a str, &'a [u8])>,
    ) -> Result<(), WriteError> {
        for (name, bytes) in files {
            write_atomic(&self.dir.join(name), bytes)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn atomic_write_replaces_the_whole_file_and_leaves_no_temporaries() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("results.json");
        write_atomic(&path, b"first version, longer").expect("write");
        write_atomic(&path, b"second").expect("write");
        assert_eq!(fs::read(&path).expect("read"), b"second");
        let names: Vec<_> = fs::read_dir(dir.path())
            .expect("dir")
            .map(|e| e.expect("entry").file_name())
            .collect();
        assert_eq!(names.len(), 1, "only the final file remains: {names:?}");
    }

    /// The process's umask, from `/proc/self/status` (Linux).
    fn umask() -> u32 {
        let status = fs::read_to_string("/proc/self/status").expect("status");
        let line = status
            .lines()
            .find_map(|l| l.strip_prefix("Umask:"))
            .expect("a Umask line");
        u32::from_str_radix(line.trim(), 8).expect("octal")
    }

    #[test]
    fn reports_are_created_with_the_mode_the_umask_allows() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("report.html");
        write_atomic(&path, b"<html>").expect("write");
        let mode = fs::metadata(&path).expect("meta").permissions().mode() & 0o777;
        let umask = umask();
        assert_eq!(mode, 0o666 & !umask, "umask {umask:o}");
        // Under the usual umask 022 this is 0644: readable by the group and others, like
        // any file a shell redirect creates (a temporary file's 0600 would not be).
        if umask == 0o022 {
            assert_eq!(mode, 0o644);
        }
        write_atomic(&path, b"<html>2").expect("replace");
        let replaced = fs::metadata(&path).expect("meta").permissions().mode() & 0o777;
        assert_eq!(replaced, 0o666 & !umask);
    }

    #[test]
    fn appended_lines_accumulate_one_per_call() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("sub/history.jsonl");
        append_line(&path, "{\"a\":1}").expect("append");
        append_line(&path, "{\"a\":2}\n").expect("append");
        assert_eq!(
            fs::read_to_string(&path).expect("read"),
            "{\"a\":1}\n{\"a\":2}\n"
        );
    }

    #[test]
    fn preparing_an_unwritable_output_names_the_path() {
        let dir = tempfile::tempdir().expect("tempdir");
        let file = dir.path().join("not-a-dir");
        fs::write(&file, b"x").expect("write");
        let err = OutputDir::prepare(&file.join("run")).expect_err("must fail");
        assert!(err.to_string().contains("not-a-dir"), "{err}");
        assert!(err.to_string().contains("--output"), "{err}");
    }
}
