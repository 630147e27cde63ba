//! Tests of build progress parsing, with hand-made BuildKit status and classic lines.
#![allow(clippy::unwrap_used)]

use std::sync::Mutex;

use bollard::moby::buildkit::v1::{StatusResponse, Vertex, VertexLog};
use bollard::models::{BuildInfo, BuildInfoAux, ImageId};

use super::*;

fn vertex(digest: &str, name: &str, cached: bool, completed: bool) -> Vertex {
    Vertex {
        digest: digest.to_string(),
        name: name.to_string(),
        cached,
        completed: completed.then(Default::default),
        ..Default::default()
    }
}

fn status(vertexes: Vec<Vertex>) -> BuildInfo {
    BuildInfo {
        id: Some("moby.buildkit.trace".to_string()),
        aux: Some(BuildInfoAux::BuildKit(StatusResponse {
            vertexes,
            ..Default::default()
        })),
        ..Default::default()
    }
}

fn stream(text: &str) -> BuildInfo {
    BuildInfo {
        stream: Some(text.to_string()),
        ..Default::default()
    }
}

/// Feed `infos` to a fresh tracker; returns it and the events it emitted.
fn feed(infos: &[BuildInfo], labels: &[&str]) -> (Progress, Vec<BuildEvent>) {
    let events = Mutex::new(Vec::new());
    let record = |e: BuildEvent| events.lock().unwrap().push(e);
    let mut progress = Progress::new(labels.iter().map(|s| s.to_string()));
    for info in infos {
        progress.on_info(info, &record);
    }
    (progress, events.into_inner().unwrap())
}

#[test]
fn buildkit_steps_are_instruction_vertexes_and_internal_ones_are_not() {
    assert!(is_buildkit_step(
        "[2/5] RUN pip install -r requirements.txt"
    ));
    assert!(is_buildkit_step("[builder 2/4] COPY . ."));
    assert!(is_buildkit_step(
        "[stage-1 1/2] COPY --from=builder /app /app"
    ));
    assert!(!is_buildkit_step(
        "[internal] load build definition from Dockerfile"
    ));
    assert!(!is_buildkit_step(
        "[internal] load metadata for docker.io/library/python:3.9"
    ));
    assert!(!is_buildkit_step("exporting to image"));
}

#[test]
fn buildkit_counts_run_and_cached_steps_and_never_runs_from() {
    let infos = [
        status(vec![
            vertex(
                "a",
                "[internal] load build definition from Dockerfile",
                false,
                true,
            ),
            vertex("b", "[1/3] FROM docker.io/library/base:1", false, false),
            vertex("c", "[2/3] COPY requirements.txt .", false, false),
            vertex("d", "[3/3] RUN make", false, false),
        ]),
        status(vec![
            vertex("b", "[1/3] FROM docker.io/library/base:1", false, true),
            vertex("c", "[2/3] COPY requirements.txt .", true, true),
        ]),
        status(vec![vertex("d", "[3/3] RUN make", false, true)]),
        BuildInfo {
            id: Some("moby.image.id".to_string()),
            aux: Some(BuildInfoAux::Default(ImageId {
                id: Some("sha256:abc".to_string()),
            })),
            ..Default::default()
        },
    ];
    let (progress, events) = feed(&infos, &[]);
    assert_eq!(progress.counts(), (3, 1));
    assert_eq!(progress.image_id(), Some("sha256:abc"));
    let done_cached: Vec<_> = events
        .iter()
        .filter_map(|e| match e {
            BuildEvent::Step {
                name,
                cached: true,
                done: true,
            } => Some(name.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(done_cached, ["[2/3] COPY requirements.txt ."]);
}

#[test]
fn a_buildkit_failure_names_the_failing_step_and_keeps_its_output() {
    let mut failing = vertex("d", "[3/3] RUN make", false, true);
    failing.error =
        "process \"/bin/sh -c make\" did not complete successfully: exit code: 2".into();
    let mut logs = status(vec![]);
    if let Some(BuildInfoAux::BuildKit(s)) = &mut logs.aux {
        s.logs.push(VertexLog {
            vertex: "d".to_string(),
            msg: b"make: *** No targets.  Stop.\n".to_vec(),
            ..Default::default()
        });
    }
    let (progress, _) = feed(&[logs, status(vec![failing])], &[]);
    assert_eq!(progress.failed_step().as_deref(), Some("[3/3] RUN make"));
    assert_eq!(progress.log_tail()[0], "make: *** No targets.  Stop.");
}

#[test]
fn a_step_cancelled_because_another_failed_is_not_the_failed_step() {
    // BuildKit's order when `COPY does-not-exist` fails: its error, then the earlier
    // step it cancelled.
    let mut missing = vertex("b", "[2/2] COPY does-not-exist /nowhere", false, true);
    missing.error = "\"/does-not-exist\" not found: not found".into();
    let mut cancelled = vertex("a", "[1/2] COPY testapp /testapp", false, true);
    cancelled.error = "context canceled: context canceled".into();
    let (progress, _) = feed(&[status(vec![missing]), status(vec![cancelled])], &[]);
    assert_eq!(
        progress.failed_step().as_deref(),
        Some("[2/2] COPY does-not-exist /nowhere")
    );
}

const CLASSIC: &str = "Step 1/5 : FROM base:1\n ---> 111111111234\nStep 2/5 : COPY app /app\n \
                       ---> Using cache\n ---> 555555555678\nStep 3/5 : RUN [\"/app\", \"--check\"]\n \
                       ---> Running in abcd\n\u{1b}[91mwarning: colour\n\u{1b}[0m\n\
                       Removing intermediate container abcd\n ---> 999999999abc\n\
                       Step 4/5 : LABEL basebench=true\n ---> Running in ef01\n ---> 222222222345\n\
                       Step 5/5 : LABEL basebench.run=r1\n ---> Running in ef02\n ---> 666666666789\n\
                       Successfully built 666666666789\nSuccessfully tagged x:y\n";

#[test]
fn classic_output_counts_steps_without_from_or_the_labels_it_appended() {
    let (progress, events) = feed(&[stream(CLASSIC)], &["basebench", "basebench.run"]);
    assert_eq!(progress.counts(), (3, 1));
    assert_eq!(progress.image_id(), Some("666666666789"));
    assert!(events.contains(&BuildEvent::Step {
        name: "Step 2/5 : COPY app /app".into(),
        cached: true,
        done: true
    }));
    assert!(
        !events
            .iter()
            .any(|e| matches!(e, BuildEvent::Step { name, .. } if name.contains("LABEL")))
    );
}

#[test]
fn classic_output_loses_its_colour_codes() {
    let (progress, events) = feed(&[stream(CLASSIC)], &[]);
    assert!(events.contains(&BuildEvent::Log("warning: colour".into())));
    assert!(
        progress
            .log_tail()
            .iter()
            .all(|l| !l.contains('\u{1b}') && !l.trim().is_empty())
    );
}

#[test]
fn classic_output_lists_the_images_its_steps_committed_but_not_the_base_or_cached_ones() {
    let (progress, _) = feed(&[stream(CLASSIC)], &[]);
    assert_eq!(
        progress.created_images(),
        ["999999999abc", "222222222345", "666666666789"]
            .map(String::from)
            .as_slice()
    );
}

#[test]
fn a_classic_failure_names_the_running_step() {
    let text = "Step 1/2 : FROM base:1\n ---> 1234\nStep 2/2 : RUN false\n ---> Running in ab\n";
    let (progress, _) = feed(&[stream(text)], &[]);
    assert_eq!(
        progress.failed_step().as_deref(),
        Some("Step 2/2 : RUN false")
    );
    assert_eq!(progress.counts(), (2, 1));
}

#[test]
fn the_log_tail_keeps_the_last_twenty_lines() {
    let text: String = (1..=30).map(|i| format!("line {i}\n")).collect();
    let (progress, _) = feed(&[stream(&text)], &[]);
    let tail = progress.log_tail();
    assert_eq!(
        (tail.len(), tail[0].as_str(), tail[19].as_str()),
        (20, "line 11", "line 30")
    );
}

/// Podman 4.3's build stream (Buildah behind the compat API) of `FROM scratch`, `COPY`,
/// `EXPOSE`, `CMD` and the appended label, captured from `POST /v1.41/build`: first cold,
/// then with every step from cache.
const BUILDAH_COLD: &str = "STEP 1/5: FROM scratch\nSTEP 2/5: COPY testapp /testapp\n--> 97e779fbea0\n\
STEP 3/5: EXPOSE 8080\n--> f94c2e5dc83\nSTEP 4/5: CMD [\"/testapp\"]\n--> 4544545ee06\n\
STEP 5/5: LABEL \"basebench\"=\"true\"\nCOMMIT docker.io/library/bbprobe:1\n--> 7f892d1b58f\n\
Successfully tagged docker.io/library/bbprobe:1\n\
7f892d1b58f3b1fcd32f10205e77c2d394c5c27ab1e0ed66881961b0f9b38925\n";
const BUILDAH_CACHED: &str = "STEP 1/4: FROM scratch\nSTEP 2/4: COPY testapp /testapp\n\
--> Using cache 97e779fbea0ec86bea38ea3803d72e99cc270b5cf343f9aeeed50cb1268c4be4\n--> 97e779fbea0\n\
STEP 3/4: EXPOSE 8080\n--> Using cache f94c2e5dc8308c6841e3689d1dd94fe4470001c27ae34859ab0987a15291bda7\n\
--> f94c2e5dc83\nSTEP 4/4: CMD [\"/testapp\"]\n\
--> Using cache 4544545ee061397b4e2fee9e08c2c75ab2f004194e9ae7cada103840eb79c555\n\
COMMIT docker.io/library/bbprobe:1\n--> 4544545ee06\n";

#[test]
fn buildah_steps_are_counted_like_the_classic_builders() {
    let (progress, events) = feed(&[stream(BUILDAH_COLD)], &["basebench"]);
    assert_eq!(
        progress.counts(),
        (4, 3),
        "FROM counted, not run; the appended LABEL left out"
    );
    assert!(events.contains(&BuildEvent::Step {
        name: "Step 2/5 : COPY testapp /testapp".into(),
        cached: false,
        done: true
    }));
    let (cached, _) = feed(&[stream(BUILDAH_CACHED)], &["basebench"]);
    assert_eq!(cached.counts(), (4, 0), "every step from cache");
}

#[test]
fn buildah_appends_one_label_step_per_label_and_they_are_left_out() {
    let text = "STEP 1/6: FROM scratch\nSTEP 2/6: COPY testapp /testapp\n--> 97e779fbea0\n\
STEP 3/6: EXPOSE 8080\n--> f94c2e5dc83\nSTEP 4/6: CMD [\"/testapp\"]\n--> 4544545ee06\n\
STEP 5/6: LABEL \"basebench\"=\"true\"\n--> ccfc15e8ad4\n\
STEP 6/6: LABEL \"basebench.run\"=\"r2\"\nCOMMIT docker.io/library/bbprobe:2\n--> cace65e16d7\n";
    let (progress, _) = feed(&[stream(text)], &["basebench", "basebench.run"]);
    assert_eq!(progress.counts(), (4, 3));
}
