//! One real stand-in build: the distroless-style extract (the smallest recipe) is built
//! with mmdebstrap from the host's mirror, imported through the Docker engine under a
//! unique tag, checked (no shell, python3.11 entrypoint, CA bundle, labels), and removed.
#![allow(clippy::unwrap_used)]

use std::time::Duration;

use basebench::bases::{self, StandInOptions};
use basebench::engine::{ContainerSpec, Engine, RUN_LABEL, STAND_IN_LABEL};

use crate::support;

#[tokio::test]
async fn builds_and_imports_a_distroless_stand_in_without_a_shell() {
    assert!(
        std::path::Path::new("/usr/bin/mmdebstrap").exists(),
        "this test needs mmdebstrap: install it with `apt-get install -y mmdebstrap`"
    );
    let engine = support::connect_or_fail().await;
    let run_id = support::unique_run_id();
    let setting = std::env::var(bases::mirror::MIRROR_ENV).ok();
    let mut options = StandInOptions::from_host(setting.as_deref());
    assert!(
        options.mirror.is_some(),
        "this test needs a Debian mirror: a bookworm archive in the host's apt sources, or {}",
        bases::mirror::MIRROR_ENV
    );
    options.prefix = format!("basebench-{run_id}");
    options.extra_labels = vec![(RUN_LABEL.to_string(), run_id.clone())];
    let requested = "gcr.io/distroless/python3";
    let reference = bases::stand_in_reference_in(&options.prefix, requested);
    // The image and the container carry the run label: the guard removes both even when
    // an assertion below fails.
    let _cleanup = support::Cleanup::new(&run_id);
    check(&engine, requested, &options, &run_id).await.unwrap();
    assert!(
        engine.image_info(&reference).await.unwrap().is_none(),
        "image removed"
    );
}

async fn check(
    engine: &dyn Engine,
    requested: &str,
    options: &StandInOptions,
    run_id: &str,
) -> Result<(), String> {
    let lines = std::sync::Mutex::new(Vec::new());
    let progress = |l: &str| lines.lock().unwrap().push(l.to_string());
    let stand_in = bases::ensure_stand_in_with(engine, requested, options, false, &progress)
        .await
        .map_err(|e| e.to_string())?;
    assert!(stand_in.built);
    assert!(
        stand_in.size_bytes > 20_000_000,
        "python runtime present: {}",
        stand_in.size_bytes
    );
    let info = engine
        .image_info(&stand_in.reference)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        info.labels.get(STAND_IN_LABEL).map(String::as_str),
        Some("gcr.io/distroless/python3:latest")
    );
    assert_eq!(info.labels.get(RUN_LABEL).map(String::as_str), Some(run_id));
    assert!(
        info.labels
            .get(bases::MMDEBSTRAP_LABEL)
            .is_some_and(|v| v.starts_with("mmdebstrap"))
    );
    let mirror = options.mirror.as_ref().unwrap();
    let source = info
        .labels
        .get(bases::SOURCE_LABEL)
        .cloned()
        .unwrap_or_default();
    assert!(
        source.starts_with(&format!("{} {} ", mirror.uri, mirror.suite)),
        "{source}"
    );
    assert_eq!(info.entrypoint, vec!["/usr/bin/python3.11".to_string()]);

    // A second call reuses the labelled image.
    let again = bases::ensure_stand_in_with(engine, requested, options, false, &progress)
        .await
        .map_err(|e| e.to_string())?;
    assert!(!again.built);
    assert_eq!(again.image_id, stand_in.image_id);

    // The interpreter runs, trusts the bundle, and there is no shell to exec.
    let spec = ContainerSpec {
        image: stand_in.reference.clone(),
        name: format!("basebench-{run_id}"),
        labels: support::run_labels(run_id),
        port: 8080,
        env: vec![],
        cmd: vec!["-c".into(), "import time; time.sleep(60)".into()],
    };
    let id = engine
        .create_container(&spec)
        .await
        .map_err(|e| e.to_string())?;
    engine
        .start_container(&id)
        .await
        .map_err(|e| e.to_string())?;
    let script = "import ssl, sqlite3, os; ctx = ssl.create_default_context(); \
                  print(len(ctx.get_ca_certs()), os.environ['SSL_CERT_FILE'])";
    let cmd = vec![
        "/usr/bin/python3.11".to_string(),
        "-c".into(),
        script.into(),
    ];
    let out = engine
        .exec(&id, &cmd, Duration::from_secs(30))
        .await
        .map_err(|e| e.to_string())?;
    assert_eq!(out.exit_code, Some(0), "{}", out.output);
    assert!(
        out.output.contains("/etc/ssl/certs/ca-certificates.crt"),
        "{}",
        out.output
    );
    let shell = vec!["/bin/sh".to_string(), "-c".into(), "true".into()];
    let no_shell = engine.exec(&id, &shell, Duration::from_secs(30)).await;
    assert!(
        no_shell.is_err() || no_shell.unwrap().exit_code != Some(0),
        "no /bin/sh"
    );
    engine
        .remove_container(&id)
        .await
        .map_err(|e| e.to_string())?;

    // Listed as a stand-in, and removed by the stand-in API.
    let listed = bases::list_stand_ins(engine)
        .await
        .map_err(|e| e.to_string())?;
    assert!(
        listed.iter().any(|i| i.tags.contains(&stand_in.reference)),
        "{listed:?}"
    );
    let removed = bases::remove_stand_in(engine, requested, &options.prefix)
        .await
        .map_err(|e| e.to_string())?;
    assert!(removed);
    Ok(())
}
