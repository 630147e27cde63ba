//! Finding and parsing the config file, the same way for every command that reads one
//! (`run`, `check`, `trend`).

use std::path::{Path, PathBuf};

use super::paths::{self, Want};
use super::{ConfigError, DEFAULT_CONFIG, RawConfig, defaults, ranges};

/// How errors name settings that came from flags.
pub(super) const COMMAND_LINE: &str = "command line";

impl RawConfig {
    /// Read and parse a config file.
    pub(crate) fn load(path: &Path) -> Result<RawConfig, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|e| ConfigError::Unreadable {
            path: path.to_path_buf(),
            message: e.to_string(),
        })?;
        toml::from_str(&text).map_err(|e| {
            let numeric = e.span().and_then(|span| ranges::type_error(&text, span));
            match numeric {
                Some((key, message)) => ConfigError::Invalid {
                    origin: path.display().to_string(),
                    key,
                    message,
                },
                None => ConfigError::Syntax {
                    path: path.to_path_buf(),
                    message: e.to_string().trim_end().to_string(),
                },
            }
        })
    }
}

/// The config file a command reads: `--config FILE` (it must exist), else `basebench.toml`
/// in `cwd` when there is one, unless the variants come from flags (`flag_variants`).
/// Every command that reads a config (`run`, `check`, `trend`) finds it this way.
pub(crate) fn find_file(
    explicit: Option<&Path>,
    cwd: &Path,
    flag_variants: bool,
) -> Result<Option<PathBuf>, ConfigError> {
    match explicit {
        Some(path) => {
            let path = cwd.join(path);
            if let Some(problem) = paths::problem(&path, Want::File) {
                return Err(ConfigError::BadPath {
                    origin: COMMAND_LINE.into(),
                    what: "config file".into(),
                    path,
                    problem,
                    hint: "Check the --config path.".into(),
                });
            }
            Ok(Some(path))
        }
        None if !flag_variants => Ok(Some(cwd.join(DEFAULT_CONFIG)).filter(|p| p.is_file())),
        None => Ok(None),
    }
}

/// A config file found by [`find_file`] and parsed, before it is validated for a run.
#[derive(Debug, Clone)]
pub(crate) struct ConfigFile {
    /// The file, as found.
    pub(crate) path: PathBuf,
    /// Its contents.
    pub(crate) raw: RawConfig,
}

impl ConfigFile {
    /// Find and parse the config file (see [`find_file`]); `None` when there is none.
    pub(crate) fn find(
        explicit: Option<&Path>,
        cwd: &Path,
        flag_variants: bool,
    ) -> Result<Option<ConfigFile>, ConfigError> {
        let Some(path) = find_file(explicit, cwd, flag_variants)? else {
            return Ok(None);
        };
        let raw = RawConfig::load(&path)?;
        Ok(Some(ConfigFile { path, raw }))
    }

    /// How errors name the file.
    pub(crate) fn origin(&self) -> String {
        self.path.display().to_string()
    }

    /// The directory relative paths in the file start from.
    pub(crate) fn base_dir(&self) -> &Path {
        self.path.parent().unwrap_or(Path::new("."))
    }

    /// Root directory of reports and history: `output`, relative to the file.
    pub(crate) fn output_root(&self) -> PathBuf {
        output_root(self.base_dir(), &self.raw)
    }
}

pub(super) fn output_root(base_dir: &Path, raw: &RawConfig) -> PathBuf {
    base_dir.join(raw.output.as_deref().unwrap_or(Path::new(defaults::OUTPUT)))
}
