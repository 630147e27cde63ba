//! The contexts the benchmark builds, made fresh in a temporary directory: a 1 MB app
//! file (the one the Dockerfile copies and the one-file change touches) plus the weight
//! of the context (incompressible data nobody copies, or many small files), and the
//! Dockerfile beside the context, not in it.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

/// What the context holds besides the app.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Weight {
    /// The 1 MB app alone.
    OneMegabyte,
    /// The app and 200 MB of data the Dockerfile never copies.
    TwoHundredMegabytes,
    /// The app and 1 GB of data (4 files of 256 MB) the Dockerfile never copies.
    OneGigabyte,
    /// The app and 50,000 files of 1 KB in 500 directories.
    SmallFiles,
    /// The app and 10,000 files of 1 KB in 100 directories (the quick run's).
    FewerSmallFiles,
}

impl Weight {
    /// The weight named `text` (`1mb`, `200mb`, `1gb`, `50k`, `10k`).
    pub(crate) fn parse(text: &str) -> Option<Weight> {
        match text {
            "1mb" => Some(Weight::OneMegabyte),
            "200mb" => Some(Weight::TwoHundredMegabytes),
            "1gb" => Some(Weight::OneGigabyte),
            "50k" => Some(Weight::SmallFiles),
            "10k" => Some(Weight::FewerSmallFiles),
            _ => None,
        }
    }

    /// How the performance page names it.
    pub(crate) fn label(self) -> &'static str {
        match self {
            Weight::OneMegabyte => "1 MB",
            Weight::TwoHundredMegabytes => "200 MB",
            Weight::OneGigabyte => "1 GB",
            Weight::SmallFiles => "50,000 small files",
            Weight::FewerSmallFiles => "10,000 small files",
        }
    }
}

/// Name of the file the Dockerfile copies and the change touches.
pub(crate) const APP: &str = "app.bin";

/// A made context: `root` is the context, `dockerfile` the Dockerfile outside it.
pub(crate) struct Made {
    _dir: tempfile::TempDir,
    pub(crate) root: PathBuf,
    pub(crate) dockerfile: PathBuf,
}

/// Make a context of `weight` under `parent` (a disk-backed directory). Its Dockerfile
/// copies the weight then the app (`copy_weight`), or the app alone (the weight is what
/// nobody copies, like a `node_modules` or a `.git` nobody ignored).
pub(crate) fn make(weight: Weight, copy_weight: bool, parent: &Path) -> Made {
    let dir = tempfile::Builder::new()
        .prefix("basebench-build-bench.")
        .tempdir_in(parent)
        .expect("a temporary directory");
    let root = dir.path().join("context");
    fs::create_dir_all(&root).expect("mkdir context");
    write_random(&root.join(APP), 1 << 20);
    match weight {
        Weight::OneMegabyte => {}
        Weight::TwoHundredMegabytes => write_random(&root.join("data/unused.bin"), 200 << 20),
        Weight::OneGigabyte => {
            for i in 0..4 {
                write_random(&root.join(format!("data/unused-{i}.bin")), 256 << 20);
            }
        }
        Weight::SmallFiles | Weight::FewerSmallFiles => {
            let dirs = if weight == Weight::SmallFiles {
                500
            } else {
                100
            };
            for d in 0..dirs {
                for f in 0..100 {
                    let path = root.join(format!("src/d{d:03}/f{f:03}.txt"));
                    write_random(&path, 1024);
                }
            }
        }
    }
    let weight_dir = match weight {
        Weight::OneMegabyte => None,
        Weight::TwoHundredMegabytes | Weight::OneGigabyte => Some("data"),
        Weight::SmallFiles | Weight::FewerSmallFiles => Some("src"),
    };
    let mut text = "FROM scratch\n".to_string();
    if let (Some(dir), true) = (weight_dir, copy_weight) {
        text.push_str(&format!("COPY {dir}/ /{dir}/\n"));
    }
    text.push_str(&format!("COPY {APP} /{APP}\n"));
    let dockerfile = dir.path().join("Dockerfile");
    fs::write(&dockerfile, text).expect("Dockerfile");
    Made {
        _dir: dir,
        root,
        dockerfile,
    }
}

/// Append `bytes` fresh random bytes to `path`: a one-file change the build cache has not
/// seen. Returns the file's new size.
pub(crate) fn change(path: &Path, bytes: usize) -> u64 {
    let mut file = fs::OpenOptions::new()
        .append(true)
        .open(path)
        .expect("open the changed file");
    file.write_all(&random(bytes)).expect("append");
    file.sync_all().expect("sync");
    fs::metadata(path).expect("stat").len()
}

/// Give every file under `root` a new mtime, so the daemon's copy of the previous
/// transfer matches nothing and the whole context crosses again (a first build, without
/// a new copy of the context in the daemon's cache for every round).
pub(crate) fn touch_all(root: &Path) {
    let now = std::time::SystemTime::now();
    for entry in fs::read_dir(root).expect("read_dir") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            touch_all(&path);
        } else {
            let file = fs::OpenOptions::new()
                .write(true)
                .open(&path)
                .expect("open for touching");
            file.set_modified(now).expect("set mtime");
        }
    }
}

fn write_random(path: &Path, len: usize) {
    fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
    let mut file = std::io::BufWriter::new(fs::File::create(path).expect("create"));
    let mut left = len;
    while left > 0 {
        let chunk = random(left.min(1 << 20));
        file.write_all(&chunk).expect("write");
        left -= chunk.len();
    }
    file.flush().expect("flush");
}

/// `len` bytes nobody can compress (xorshift from a fresh uuid).
fn random(len: usize) -> Vec<u8> {
    let mut state = uuid::Uuid::new_v4().as_u128() as u64 | 1;
    let mut out = Vec::with_capacity(len + 8);
    while out.len() < len {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        out.extend_from_slice(&state.to_le_bytes());
    }
    out.truncate(len);
    out
}
