//! `basebench clean` beside what the user keeps: an image kept with `--keep-images` and
//! a container the user started from it (it inherits the image's run label) survive, a
//! crashed run's leftovers go, and `--dry-run` lists what would go and removes nothing.
//! What is left is read with the Docker CLI, not the product's own lister.

use std::process::Command;

use basebench::engine::Engine;

use crate::support::cli::{basebench, finished, run_command};
use crate::support::{self, connect_or_fail, test_app_context};

/// Whether the Docker CLI finds a container or image by id or name.
fn exists(kind: &str, what: &str) -> bool {
    Command::new("docker")
        .args([kind, "inspect", "--format", "{{.Id}}", what])
        .output()
        .expect("run the docker CLI")
        .status
        .success()
}

#[tokio::test]
async fn clean_keeps_kept_images_and_user_containers_and_dry_run_removes_nothing() {
    let engine = connect_or_fail().await;
    let app = test_app_context("");
    let dir = app.dir.path();
    let out = dir.join("out");
    let results = finished(
        run_command(
            dir,
            &out,
            &[
                "--runs",
                "1",
                "--build-runs",
                "1",
                "--keep-images",
                "--no-anatomy",
            ],
            &[("kept", "")],
        ),
        0,
        &out,
    );
    let run_id = results.run_id.clone();
    let _guard = support::Cleanup::new(&run_id);
    let tag = format!("basebench-kept:{run_id}");
    // The user runs the kept image; the container inherits its labels.
    let user = format!("user-{}", uuid::Uuid::new_v4().simple());
    let started = Command::new("docker")
        .args(["run", "-d", "--name", &user, &tag])
        .output()
        .expect("docker run");
    assert!(
        started.status.success(),
        "{}",
        String::from_utf8_lossy(&started.stderr)
    );
    // A crashed run's leftovers under the same label: basebench's own container and image.
    let crashed = support::unique_run_id();
    let _crashed_guard = support::Cleanup::new(&crashed);
    let image = support::images::build_app(&engine, &crashed).await;
    let mut spec = support::images::container_spec(&image, &crashed, &[]);
    spec.name = format!("basebench-{crashed}-leftover-load");
    let left = engine.create_container(&spec).await.expect("create");

    for run in [run_id.as_str(), crashed.as_str()] {
        let dry = basebench(dir)
            .args(["clean", "--dry-run", "--run", run])
            .output()
            .expect("clean --dry-run");
        assert!(
            dry.status.success(),
            "{}",
            String::from_utf8_lossy(&dry.stderr)
        );
        let listed = String::from_utf8_lossy(&dry.stdout).to_string();
        if run == crashed {
            assert!(
                listed.contains(&spec.name) && listed.contains(&image[7..19]),
                "{listed}"
            );
        } else {
            assert!(
                !listed.contains(&user),
                "a user container is not listed: {listed}"
            );
        }
    }
    assert!(
        exists("container", &left) && exists("image", &image),
        "dry run removed nothing"
    );

    for run in [run_id.as_str(), crashed.as_str()] {
        let output = basebench(dir)
            .args(["clean", "--run", run])
            .output()
            .expect("clean");
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    assert!(exists("image", &tag), "the kept image survives clean");
    assert!(
        exists("container", &user),
        "the user's container survives clean"
    );
    assert!(
        !exists("container", &left),
        "the crashed run's container is removed"
    );
    assert!(
        !exists("image", &image),
        "the crashed run's image is removed"
    );
    let _ = Command::new("docker").args(["rm", "-f", &user]).output();
}
