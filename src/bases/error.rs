//! Why a stand-in base could not be made. Every message names the base and ends with
//! what the user can do.

use std::path::PathBuf;

use super::recipes::NoStandIn;
use crate::engine::EngineError;

/// Errors from [`ensure_stand_in`](super::ensure_stand_in) and the builder.
#[derive(Debug, thiserror::Error)]
pub enum StandInError {
    /// No recipe exists (e.g. a musl-based image).
    #[error(transparent)]
    NoRecipe(#[from] NoStandIn),
    /// No setting and no host apt source names a Debian archive to build from.
    #[error(
        "cannot build a stand-in for '{requested}': no Debian mirror to build from (the \
         host's apt sources name no Debian {suite} archive); {how}",
        suite = super::mirror::SUITE,
        how = super::mirror::HOW_TO_SET
    )]
    NoMirror {
        /// The base asked for.
        requested: String,
    },
    /// The mmdebstrap program is not installed.
    #[error(
        "cannot build a stand-in for '{requested}': mmdebstrap was not found ('{}'); \
         install it with `apt-get install -y mmdebstrap`",
        binary.display()
    )]
    MmdebstrapMissing {
        /// The base asked for.
        requested: String,
        /// The program that was tried.
        binary: PathBuf,
    },
    /// apt inside mmdebstrap could not download from the mirror.
    #[error(
        "cannot build a stand-in for '{requested}': the Debian mirror {mirror} is unreachable \
         or incomplete. mmdebstrap said:\n{stderr_tail}\nCheck the network (and proxy \
         settings), or give a reachable Debian mirror with --mirror URL or `[bases] mirror`"
    )]
    MirrorUnreachable {
        /// The base asked for.
        requested: String,
        /// The main archive URI used.
        mirror: String,
        /// Last lines mmdebstrap printed.
        stderr_tail: String,
    },
    /// mmdebstrap failed for another reason.
    #[error(
        "cannot build a stand-in for '{requested}': mmdebstrap exited with {status} \
         (mirror {mirror}). Last lines:\n{stderr_tail}\nmmdebstrap needs root (or \
         unprivileged user namespaces); run basebench as root, or build the base elsewhere \
         and `docker load` it"
    )]
    BuildFailed {
        /// The base asked for.
        requested: String,
        /// The main archive URI used.
        mirror: String,
        /// Exit status as text.
        status: String,
        /// Last lines mmdebstrap printed.
        stderr_tail: String,
    },
    /// A local file operation failed (temporary directory, running a program).
    #[error("cannot build a stand-in for '{requested}': {action}: {source}")]
    Io {
        /// The base asked for.
        requested: String,
        /// What was being done.
        action: String,
        /// The underlying error.
        source: std::io::Error,
    },
    /// The engine failed (inspect, import, remove).
    #[error("stand-in for '{requested}': {action} failed: {source}")]
    Engine {
        /// The base asked for.
        requested: String,
        /// What was being done.
        action: String,
        /// The engine's error.
        source: EngineError,
    },
}
