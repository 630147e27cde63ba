//! Which way a build's context goes to this daemon: the capability discovered when
//! connecting (does the engine take BuildKit sessions?), the builder (the classic one
//! takes a tar) and what was asked. A session the daemon refuses at the first build turns
//! the rest of the run to the tar; that is said once.

use bollard::Docker;

use super::session::upgrade::dialable;
use crate::engine::{BuilderKind, ContextTransfer, TransferChoice};

/// The first API version with BuildKit sessions outside experimental mode (Docker 18.09).
const SESSION_API: (u32, u32) = (1, 39);

/// Can this daemon take the context through a BuildKit session? Discovered from
/// `/version`: dockerd calls its own component `Engine` (Podman's compatible API, which
/// has no `/session`, calls its `Podman Engine`), speaks API 1.39 or later, and `host` is
/// one basebench can open a session on.
pub(super) async fn discover(docker: &Docker, host: &str, api: (u32, u32)) -> Result<(), String> {
    dialable(host)?;
    if api < SESSION_API {
        return Err(format!(
            "the daemon speaks API {}.{}, and BuildKit sessions need {}.{}",
            api.0, api.1, SESSION_API.0, SESSION_API.1
        ));
    }
    let version = docker
        .version()
        .await
        .map_err(|e| format!("its version could not be read: {e}"))?;
    let names: Vec<String> = version
        .components
        .unwrap_or_default()
        .into_iter()
        .map(|c| c.name)
        .collect();
    if names.iter().any(|n| n == "Engine") {
        Ok(())
    } else {
        Err(format!(
            "it is not dockerd (its components: {})",
            if names.is_empty() {
                "none listed".to_string()
            } else {
                names.join(", ")
            }
        ))
    }
}

/// The transfer for a build with `builder` when `requested` is asked for, given the
/// daemon's session `support` and a session it `refused` earlier in this run.
pub(super) fn choose(
    builder: BuilderKind,
    requested: ContextTransfer,
    support: &Result<(), String>,
    refused: Option<&str>,
) -> TransferChoice {
    let tar = |note: Option<String>| TransferChoice {
        transfer: ContextTransfer::Tar,
        note,
    };
    match (requested, builder) {
        (ContextTransfer::Tar, _) => tar(None),
        (ContextTransfer::Session, BuilderKind::Classic) => tar(Some(
            "the classic builder takes the build context as a tar (as `docker build` sends it \
             there): sending a tar"
                .to_string(),
        )),
        (ContextTransfer::Session, BuilderKind::Buildkit) => match (support, refused) {
            (Err(why), _) => tar(Some(format!(
                "this engine cannot take the build context through a BuildKit session ({why}): \
                 sending a tar"
            ))),
            (Ok(()), Some(why)) => tar(Some(refused_note(why))),
            (Ok(()), None) => TransferChoice {
                transfer: ContextTransfer::Session,
                note: None,
            },
        },
    }
}

/// What is said when the daemon refused a session.
pub(super) fn refused_note(why: &str) -> String {
    format!(
        "the daemon refused a BuildKit session ({why}): the build context goes as a tar \
         from now on"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_classic_builder_and_a_sessionless_engine_take_a_tar_and_say_why() {
        let ok = Ok(());
        let none = Err("it is not dockerd (its components: Podman Engine)".to_string());
        let classic = choose(BuilderKind::Classic, ContextTransfer::Session, &ok, None);
        assert_eq!(classic.transfer, ContextTransfer::Tar);
        assert!(classic.note.expect("a note").contains("classic builder"));
        let podman = choose(BuilderKind::Buildkit, ContextTransfer::Session, &none, None);
        assert_eq!(podman.transfer, ContextTransfer::Tar);
        assert!(podman.note.expect("a note").contains("Podman Engine"));
        let refused = choose(
            BuilderKind::Buildkit,
            ContextTransfer::Session,
            &ok,
            Some("404"),
        );
        assert_eq!(refused.transfer, ContextTransfer::Tar);
        assert!(
            refused
                .note
                .expect("a note")
                .contains("refused a BuildKit session (404)")
        );
    }

    #[test]
    fn buildkit_on_dockerd_takes_the_session_and_a_tar_when_asked() {
        let ok = Ok(());
        let session = choose(BuilderKind::Buildkit, ContextTransfer::Session, &ok, None);
        assert_eq!(
            session,
            TransferChoice {
                transfer: ContextTransfer::Session,
                note: None
            }
        );
        for builder in [BuilderKind::Buildkit, BuilderKind::Classic] {
            let tar = choose(builder, ContextTransfer::Tar, &ok, None);
            assert_eq!(tar.transfer, ContextTransfer::Tar);
            assert_eq!(tar.note, None);
        }
    }
}
