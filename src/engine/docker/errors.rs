//! Turning bollard errors into [`EngineError`]s that name the object and the action.

use std::io::ErrorKind;
use std::time::Duration;

use bollard::errors::Error as BollardError;

use crate::engine::EngineError;

/// What a failed call was doing, used to phrase the error.
#[derive(Debug, Clone)]
pub(super) struct Failure {
    /// The daemon address, for connection failures.
    pub(crate) host: String,
    /// The request timeout in force, for timeouts.
    pub(crate) after: Duration,
    /// E.g. `creating container from image 'x'`.
    pub(crate) action: String,
    /// E.g. `container 'abc'`; used for 404s.
    pub(crate) what: String,
}

impl Failure {
    /// Map one bollard error.
    pub(crate) fn map(self, err: BollardError) -> EngineError {
        match err {
            BollardError::DockerResponseServerError {
                status_code: 404, ..
            } => EngineError::NotFound { what: self.what },
            BollardError::DockerResponseServerError { message, .. } => EngineError::Api {
                action: self.action,
                message,
            },
            BollardError::DockerStreamError { error } => EngineError::Api {
                action: self.action,
                message: error,
            },
            BollardError::RequestTimeoutError => EngineError::Timeout {
                action: self.action,
                after: self.after,
            },
            err if is_connection_error(&err) => EngineError::Unavailable {
                host: self.host,
                message: err.to_string(),
            },
            err => EngineError::Api {
                action: self.action,
                message: err.to_string(),
            },
        }
    }
}

/// True when the error means the daemon could not be reached at all.
pub(super) fn is_connection_error(err: &BollardError) -> bool {
    match err {
        BollardError::IOError { err } => matches!(
            err.kind(),
            ErrorKind::ConnectionRefused
                | ErrorKind::NotFound
                | ErrorKind::PermissionDenied
                | ErrorKind::ConnectionReset
        ),
        BollardError::HyperLegacyError { .. } | BollardError::SocketNotFoundError(_) => true,
        _ => false,
    }
}

/// True for a 404 from the daemon.
pub(super) fn is_not_found(err: &BollardError) -> bool {
    matches!(
        err,
        BollardError::DockerResponseServerError {
            status_code: 404,
            ..
        }
    )
}

/// True for a 409 (conflict) from the daemon.
pub(super) fn is_conflict(err: &BollardError) -> bool {
    matches!(
        err,
        BollardError::DockerResponseServerError {
            status_code: 409,
            ..
        }
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn failure() -> Failure {
        Failure {
            host: "unix:///var/run/docker.sock".into(),
            after: Duration::from_secs(5),
            action: "starting container 'abc'".into(),
            what: "container 'abc'".into(),
        }
    }

    #[test]
    fn a_404_becomes_not_found_naming_the_object() {
        let err = BollardError::DockerResponseServerError {
            status_code: 404,
            message: "No such container: abc".into(),
        };
        let mapped = failure().map(err);
        assert_eq!(mapped.to_string(), "container 'abc' not found");
    }

    #[test]
    fn a_server_error_keeps_the_action_and_the_daemons_message() {
        let err = BollardError::DockerResponseServerError {
            status_code: 500,
            message: "port is already allocated".into(),
        };
        let mapped = failure().map(err);
        assert_eq!(
            mapped.to_string(),
            "starting container 'abc' failed: port is already allocated"
        );
    }

    #[test]
    fn a_refused_connection_means_the_daemon_is_unavailable() {
        let err = BollardError::IOError {
            err: std::io::Error::from(ErrorKind::ConnectionRefused),
        };
        assert!(matches!(
            failure().map(err),
            EngineError::Unavailable { .. }
        ));
    }

    #[test]
    fn a_timeout_says_how_long_it_waited() {
        let mapped = failure().map(BollardError::RequestTimeoutError);
        assert_eq!(
            mapped.to_string(),
            "starting container 'abc' timed out after 5s"
        );
    }
}
