//! Tests of loading, merging and validating configs.

use std::fs;
use std::path::Path;

use super::*;

fn project(config: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    fs::create_dir_all(dir.path().join("app")).expect("mkdir");
    fs::write(dir.path().join("app/app.py"), "print('hi')\n").expect("write");
    fs::write(dir.path().join("Dockerfile.a"), "FROM scratch\n").expect("write");
    fs::write(dir.path().join("Dockerfile.b"), "FROM scratch\n").expect("write");
    fs::write(dir.path().join("basebench.toml"), config).expect("write");
    dir
}

const GOOD: &str = r#"
context = "app"
port = 5000
health = "/health"
smoke = [["python3", "-c", "import numpy"]]

[[variant]]
name = "a"
dockerfile = "Dockerfile.a"

[[variant]]
name = "b"
dockerfile = "Dockerfile.b"
port = 8080
smoke = []
"#;

fn load_in(dir: &Path, overrides: Overrides) -> Result<Config, ConfigError> {
    load(&overrides, dir)
}

#[test]
fn a_good_file_gives_defaults_and_per_variant_overrides() {
    let dir = project(GOOD);
    let config = load_in(dir.path(), Overrides::default()).expect("valid");
    assert_eq!(config.variants.len(), 2);
    let (a, b) = (&config.variants[0], &config.variants[1]);
    assert_eq!((a.port, b.port), (5000, 8080));
    assert_eq!(a.smoke.len(), 1);
    assert!(
        b.smoke.is_empty(),
        "a variant's empty list overrides the default"
    );
    assert_eq!(a.latency_path, "/health");
    assert_eq!((config.runs, config.build_runs), (6, 3));
    assert_eq!(
        config.sampling,
        crate::config::Sampling::default(),
        "plan defaults"
    );
    assert_eq!(config.output_root, dir.path().join("results"));
}

#[test]
fn flags_override_the_file() {
    let dir = project(GOOD);
    let overrides = Overrides {
        runs: Some(7),
        port: Some(9000),
        only: vec!["b".into()],
        ..Overrides::default()
    };
    let config = load_in(dir.path(), overrides).expect("valid");
    assert_eq!(config.runs, 7);
    assert_eq!(config.variants.len(), 1);
    assert_eq!(
        config.variants[0].port, 8080,
        "a variant's own port still wins over the top-level flag"
    );
}

#[test]
fn variants_from_flags_need_no_file() {
    let dir = project(GOOD);
    fs::remove_file(dir.path().join("basebench.toml")).expect("rm");
    let overrides = Overrides {
        context: Some("app".into()),
        variants: vec![("x".into(), "Dockerfile.a".into())],
        port: Some(5000),
        health: Some("/health".into()),
        ..Overrides::default()
    };
    let config = load_in(dir.path(), overrides).expect("valid");
    assert_eq!(config.origin, "command line");
    assert_eq!(
        config.variants[0].dockerfile,
        dir.path().join("Dockerfile.a")
    );
}

#[test]
fn an_unknown_key_names_the_file_and_the_key() {
    let dir = project(&GOOD.replace("health = \"/health\"", "helth = \"/health\""));
    let err = load_in(dir.path(), Overrides::default())
        .expect_err("invalid")
        .to_string();
    assert!(err.contains("basebench.toml"), "{err}");
    assert!(err.contains("helth"), "{err}");
}

#[test]
fn a_missing_dockerfile_says_which_variant_and_where() {
    let dir = project(&GOOD.replace("Dockerfile.b", "Dockerfile.nope"));
    let err = load_in(dir.path(), Overrides::default())
        .expect_err("invalid")
        .to_string();
    assert!(err.contains("variant 'b'"), "{err}");
    assert!(err.contains("Dockerfile.nope"), "{err}");
}

#[test]
fn bad_values_name_their_key_and_what_is_expected() {
    for (from, to, key) in [
        ("port = 5000", "port = 5000\nruns = 0", "`runs`"),
        ("name = \"a\"", "name = \"A b\"", "variant[0].name"),
        ("name = \"b\"", "name = \"a\"", "variant[1].name"),
        ("health = \"/health\"", "health = \"health\"", "`health`"),
        (
            "smoke = []",
            "smoke = []\n\n[scoring]\nsecurity = -1",
            "`scoring`",
        ),
    ] {
        let dir = project(&GOOD.replacen(from, to, 1));
        let err = load_in(dir.path(), Overrides::default())
            .expect_err("invalid")
            .to_string();
        assert!(err.contains(key), "expected {key} in: {err}");
    }
}

#[test]
fn no_variants_anywhere_says_how_to_add_them() {
    let dir = tempfile::tempdir().expect("tempdir");
    let err = load_in(dir.path(), Overrides::default())
        .expect_err("invalid")
        .to_string();
    assert!(err.contains("--variant NAME=DOCKERFILE"), "{err}");
}

#[test]
fn an_explicit_config_that_does_not_exist_is_an_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    let overrides = Overrides {
        config: Some("nope.toml".into()),
        ..Overrides::default()
    };
    let err = load_in(dir.path(), overrides)
        .expect_err("invalid")
        .to_string();
    assert!(err.contains("nope.toml"), "{err}");
}

#[test]
fn only_with_an_unknown_name_lists_the_known_ones() {
    let dir = project(GOOD);
    let overrides = Overrides {
        only: vec!["zzz".into()],
        ..Overrides::default()
    };
    let err = load_in(dir.path(), overrides)
        .expect_err("invalid")
        .to_string();
    assert!(err.contains("zzz") && err.contains("a, b"), "{err}");
}

#[test]
fn a_registry_from_the_file_or_the_flag_is_host_and_prefix() {
    let dir = project(&format!("registry = \"127.0.0.1:5000/bench\"\n{GOOD}"));
    let config = load_in(dir.path(), Overrides::default()).expect("valid");
    let target = config.registry.expect("registry");
    assert_eq!(
        (target.host.as_str(), target.prefix.as_str()),
        ("127.0.0.1:5000", "bench")
    );
    let overrides = Overrides {
        registry: Some("localhost:6000/team/x".into()),
        ..Overrides::default()
    };
    let config = load_in(dir.path(), overrides).expect("valid");
    assert_eq!(
        config.registry.expect("registry").to_string(),
        "localhost:6000/team/x"
    );
    let config = load_in(project(GOOD).path(), Overrides::default()).expect("valid");
    assert_eq!(config.registry, None);
}

#[test]
fn an_invalid_registry_names_the_key_or_the_flag_and_the_form() {
    let dir = project(&format!("registry = \"127.0.0.1:5000\"\n{GOOD}"));
    let err = load_in(dir.path(), Overrides::default())
        .expect_err("invalid")
        .to_string();
    assert!(
        err.contains("registry") && err.contains("no prefix"),
        "{err}"
    );
    assert!(err.contains("HOST[:PORT]/PREFIX"), "{err}");
    let overrides = Overrides {
        registry: Some("http://h/p".into()),
        ..Overrides::default()
    };
    let err = load_in(project(GOOD).path(), overrides)
        .expect_err("invalid")
        .to_string();
    assert!(
        err.contains("--registry") && err.contains("scheme"),
        "{err}"
    );
}

#[test]
fn bandwidths_from_the_file_are_sorted_and_the_flags_replace_them() {
    let dir = project(&format!(
        "bandwidth = [\"1Gbit\", \"100Mbit\", \"1Gbit\"]\n{GOOD}"
    ));
    let config = load_in(dir.path(), Overrides::default()).expect("valid");
    let bps: Vec<u64> = config.bandwidths.iter().map(|b| b.0).collect();
    assert_eq!(bps, [100_000_000, 1_000_000_000]);
    let overrides = Overrides {
        bandwidth: vec!["12.5MB/s".into()],
        ..Overrides::default()
    };
    let config = load_in(dir.path(), overrides).expect("valid");
    let bps: Vec<u64> = config.bandwidths.iter().map(|b| b.0).collect();
    assert_eq!(bps, [100_000_000]);
    let config = load_in(project(GOOD).path(), Overrides::default()).expect("valid");
    assert!(config.bandwidths.is_empty());
}

#[test]
fn a_bad_bandwidth_names_the_key_and_the_form() {
    let dir = project(&format!("bandwidth = [\"100Mb\"]\n{GOOD}"));
    let err = load_in(dir.path(), Overrides::default())
        .expect_err("invalid")
        .to_string();
    assert!(
        err.contains("bandwidth") && err.contains("100Mbit, 1Gbit"),
        "{err}"
    );
}
