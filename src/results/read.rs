//! Reading a `results.json` back: the one reader `compare` and `check` use, with the
//! schema check.

use std::path::{Path, PathBuf};

use super::{RunResults, SCHEMA_VERSION};

/// A results file that cannot be used.
#[derive(Debug, thiserror::Error)]
pub(crate) enum ResultsFileError {
    /// The file cannot be read.
    #[error(
        "cannot read results file '{path}': {source}; pass a results.json written by `basebench run`"
    )]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    /// The file is not a results document.
    #[error("'{path}' is not a basebench results.json: {message}")]
    Parse {
        path: PathBuf,
        /// The parser's message.
        message: String,
    },
    /// The file comes from a newer basebench.
    #[error(
        "'{path}' has schema_version {found}, newer than {SCHEMA_VERSION} which this basebench reads; upgrade basebench"
    )]
    Newer {
        path: PathBuf,
        /// Version found.
        found: u32,
    },
}

/// Read and parse a `results.json`; a file from a newer schema is refused.
pub(crate) fn read_results(path: &Path) -> Result<RunResults, ResultsFileError> {
    let text = std::fs::read_to_string(path).map_err(|source| ResultsFileError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    parse_results(&text, path)
}

/// Parse the text of a `results.json` read from `path` (named in the errors); a document
/// from a newer schema is refused.
pub(crate) fn parse_results(text: &str, path: &Path) -> Result<RunResults, ResultsFileError> {
    let results: RunResults = serde_json::from_str(text).map_err(|e| ResultsFileError::Parse {
        path: path.to_path_buf(),
        message: e.to_string(),
    })?;
    if results.schema_version > SCHEMA_VERSION {
        return Err(ResultsFileError::Newer {
            path: path.to_path_buf(),
            found: results.schema_version,
        });
    }
    Ok(results)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, text: &str) -> PathBuf {
        let path = dir.join("results.json");
        std::fs::write(&path, text).expect("write");
        path
    }

    #[test]
    fn a_newer_schema_is_refused_and_says_to_upgrade() {
        let dir = tempfile::tempdir().expect("tempdir");
        let fixture = include_str!("../../tests/fixtures/results/article.json");
        let newer = fixture.replacen("\"schema_version\": 1", "\"schema_version\": 3", 1);
        assert_ne!(
            newer, fixture,
            "the fixture spells schema_version as expected"
        );
        let error = read_results(&write(dir.path(), &newer)).expect_err("newer schema");
        assert!(matches!(error, ResultsFileError::Newer { found: 3, .. }));
        assert!(error.to_string().contains("upgrade basebench"), "{error}");
        let same = read_results(&write(dir.path(), fixture)).expect("schema 1 reads");
        assert_eq!(same.variants.len(), 6);
    }

    #[test]
    fn a_file_that_is_not_results_names_the_path() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = write(dir.path(), "{\"run_id\": 1}");
        let error = read_results(&path).expect_err("not results");
        assert!(matches!(error, ResultsFileError::Parse { .. }));
        assert!(error.to_string().contains("results.json"), "{error}");
    }
}
