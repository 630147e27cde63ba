//! What is at a path the config names, when it is not what the setting needs: missing, a
//! directory where a file is needed (or the reverse), a symlink loop or a dangling symlink,
//! or unreadable. Each error then says what it found rather than "does not exist".

use std::io::ErrorKind;
use std::path::Path;

/// What a setting needs at its path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Want {
    /// A regular file (a Dockerfile, the config, the change file).
    File,
    /// A directory (the build context).
    Dir,
}

/// Why `path` is not what `want` needs; `None` when it is.
pub(crate) fn problem(path: &Path, want: Want) -> Option<String> {
    let text = match std::fs::metadata(path) {
        Ok(m) if m.is_file() && want == Want::File => return None,
        Ok(m) if m.is_dir() && want == Want::Dir => return None,
        Ok(m) if m.is_dir() => "is a directory, not a file",
        Ok(m) if m.is_file() => "is a file, not a directory",
        Ok(_) => "is neither a file nor a directory (a device, socket or pipe)",
        // `ErrorKind::FilesystemLoop` (ELOOP) cannot be named on stable Rust yet.
        Err(e) if format!("{:?}", e.kind()) == "FilesystemLoop" => {
            "is a symlink loop (or goes through one)"
        }
        Err(e) if e.kind() == ErrorKind::NotADirectory => {
            "goes through a file as if it were a directory"
        }
        Err(e) if e.kind() == ErrorKind::NotFound => return Some(not_found(path)),
        Err(e) if e.kind() == ErrorKind::PermissionDenied => "cannot be read: permission denied",
        Err(e) => return Some(format!("cannot be read: {e}")),
    };
    Some(text.to_string())
}

/// A missing path, or a symlink whose target is missing.
fn not_found(path: &Path) -> String {
    match std::fs::read_link(path) {
        Ok(target) => format!(
            "is a symlink to '{}', which does not exist",
            target.display()
        ),
        Err(_) => "does not exist".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_kind_of_wrong_path_says_what_it_is() {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path();
        std::fs::write(root.join("file"), "x").expect("write");
        std::os::unix::fs::symlink("loop", root.join("loop")).expect("symlink");
        std::os::unix::fs::symlink("gone", root.join("dangling")).expect("symlink");
        let check = |name: &str, want| problem(&root.join(name), want);
        assert_eq!(check("file", Want::File), None);
        assert_eq!(check(".", Want::Dir), None);
        assert_eq!(
            check(".", Want::File).as_deref(),
            Some("is a directory, not a file")
        );
        assert_eq!(
            check("file", Want::Dir).as_deref(),
            Some("is a file, not a directory")
        );
        assert!(check("loop", Want::File).is_some_and(|p| p.contains("symlink loop")));
        assert_eq!(
            check("dangling", Want::File).as_deref(),
            Some("is a symlink to 'gone', which does not exist")
        );
        assert_eq!(check("nope", Want::Dir).as_deref(), Some("does not exist"));
        assert!(check("file/x", Want::File).is_some_and(|p| p.contains("goes through a file")));
    }
}
