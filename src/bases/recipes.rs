//! Which base images basebench can stand in for, and how each stand-in is made.
//!
//! A recipe names the Debian 12 packages that `mmdebstrap` puts into the root filesystem,
//! the hook that finishes it (CA certificates, distroless-style users) and the image
//! configuration applied on import. Lookup is by the requested reference after
//! normalisation (`docker.io/library/` dropped, `:latest` added).

/// Default repository prefix of stand-in images: `basebench-stand-in/<requested>`.
pub(crate) const STAND_IN_PREFIX: &str = "basebench-stand-in";

/// How `mmdebstrap` builds the root filesystem.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Variant {
    /// `--variant=minbase` (essential packages and apt) plus the recipe's packages,
    /// installed and configured inside a chroot.
    Minbase,
    /// `--variant=extract`: the packages (and their dependencies) are only unpacked; no
    /// shell, no package manager, no maintainer scripts.
    Extract,
}

impl Variant {
    /// The `--variant=` value.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Variant::Minbase => "minbase",
            Variant::Extract => "extract",
        }
    }
}

/// How to make one stand-in base image.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Recipe {
    /// Short identifier recorded in the image label, e.g. `debian12-minbase`.
    pub(crate) id: &'static str,
    /// References this recipe stands in for (normalised, with tag).
    pub(crate) stands_in_for: &'static [&'static str],
    /// One line saying what the stand-in is and how it differs from the real image.
    pub(crate) summary: &'static str,
    /// The facts that move startup and size where the stand-in cannot match the real
    /// image (the report's stand-in note; docs/STAND-INS.md has the table).
    pub(crate) differs: &'static str,
    /// mmdebstrap variant.
    pub(crate) variant: Variant,
    /// Packages passed to `--include`.
    pub(crate) packages: &'static [&'static str],
    /// Shell script run as mmdebstrap's customize hook (minbase) or extract hook (extract).
    pub(crate) hook: &'static str,
    /// Image configuration applied on import (Dockerfile instructions), before the labels.
    pub(crate) changes: &'static [&'static str],
}

/// Hook for the Debian and Ubuntu stand-ins: the host's extra CA certificates into the
/// image's bundle, and apt configured as in the official images (the second script uses
/// the first's `root`).
const CHROOT_CA_HOOK: &str = concat!(
    include_str!("hooks/chroot-ca.sh"),
    include_str!("hooks/apt-docker.sh")
);
/// Hook for the python slim stand-in (Debian-based, as the real image): CA certificates,
/// apt as in the official images, then no precompiled bytecode, as the real image.
const PYTHON_SLIM_HOOK: &str = concat!(
    include_str!("hooks/chroot-ca.sh"),
    include_str!("hooks/apt-docker.sh"),
    include_str!("hooks/drop-pyc.sh")
);
/// Hook for the distroless-style extract.
const DISTROLESS_HOOK: &str = include_str!("hooks/distroless.sh");

/// PATH set on every stand-in (`docker import` sets none).
const PATH_ENV: &str = "ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
/// Certificate variables: pip, requests and OpenSSL all use the image's bundle, which
/// includes the host's extra CA certificates (TLS-intercepting proxies).
const CERT_ENV: &str = "ENV SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt \
     PIP_CERT=/etc/ssl/certs/ca-certificates.crt \
     REQUESTS_CA_BUNDLE=/etc/ssl/certs/ca-certificates.crt";

/// Every recipe basebench knows.
pub(crate) static RECIPES: &[Recipe] = &[
    Recipe {
        id: "debian12-minbase",
        stands_in_for: &["ubuntu:20.04", "ubuntu:focal"],
        summary: "Debian 12 (bookworm) minbase with ca-certificates, standing in for Ubuntu 20.04: \
                  same apt/dpkg tooling and glibc, but Debian package names and Python 3.11 \
                  from apt instead of 3.8",
        differs: "Debian 12 instead of Ubuntu 20.04: glibc 2.36 (real 2.31), and apt's python3 is 3.11 (real 3.8); user root and no Python, as the real image",
        variant: Variant::Minbase,
        packages: &["ca-certificates"],
        hook: CHROOT_CA_HOOK,
        changes: &[
            PATH_ENV,
            CERT_ENV,
            "ENV PIP_BREAK_SYSTEM_PACKAGES=1",
            "CMD [\"/bin/bash\"]",
        ],
    },
    Recipe {
        id: "debian12-minbase",
        stands_in_for: &[
            "debian:12",
            "debian:bookworm",
            "debian:12-slim",
            "debian:bookworm-slim",
        ],
        summary: "Debian 12 (bookworm) minbase with ca-certificates built by mmdebstrap",
        differs: "the host's CA certificates, their variables and PIP_BREAK_SYSTEM_PACKAGES are added; otherwise the same Debian 12, user root, no Python",
        variant: Variant::Minbase,
        packages: &["ca-certificates"],
        hook: CHROOT_CA_HOOK,
        changes: &[
            PATH_ENV,
            CERT_ENV,
            "ENV PIP_BREAK_SYSTEM_PACKAGES=1",
            "CMD [\"bash\"]",
        ],
    },
    Recipe {
        id: "debian12-minbase-python3",
        stands_in_for: &[
            "python:3.9-slim",
            "python:3.11-slim",
            "python:3.11-slim-bookworm",
        ],
        summary: "Debian 12 minbase with Debian's python3 (3.11), pip, venv and a `python` \
                  command, its bytecode caches removed as the real image has none, standing \
                  in for the official Python slim image (which builds CPython 3.9 into \
                  /usr/local)",
        differs: "Python 3.11.2 from Debian in /usr/bin (real: CPython 3.9.24 in /usr/local) and PYTHON_VERSION, GPG_KEY unset; the stdlib uncompiled and user root, as the real image",
        variant: Variant::Minbase,
        packages: &[
            "ca-certificates",
            "python3",
            "python3-pip",
            "python3-venv",
            "python-is-python3",
        ],
        hook: PYTHON_SLIM_HOOK,
        changes: &[
            PATH_ENV,
            CERT_ENV,
            "ENV PIP_BREAK_SYSTEM_PACKAGES=1 LANG=C.UTF-8",
            "CMD [\"python3\"]",
        ],
    },
    Recipe {
        id: "debian12-extract-python3",
        stands_in_for: &[
            "gcr.io/distroless/python3:latest",
            "gcr.io/distroless/python3-debian12:latest",
        ],
        summary: "extract of Debian 12's python3.11 runtime packages (no shell, no package \
                  manager, distroless-style /var/lib/dpkg/status.d, users root and \
                  nonroot 65532), standing in for gcr.io/distroless/python3",
        differs: "no python3-distutils (the real image has it: fewer stdlib modules); Python 3.11.2 in /usr/bin, stdlib uncompiled and user root, as the real image",
        variant: Variant::Extract,
        packages: &[
            "python3.11-minimal",
            "libpython3.11-stdlib",
            "libstdc++6",
            "netbase",
        ],
        hook: DISTROLESS_HOOK,
        changes: &[
            PATH_ENV,
            CERT_ENV,
            "ENV LANG=C.UTF-8",
            "ENTRYPOINT [\"/usr/bin/python3.11\"]",
        ],
    },
];

impl Recipe {
    /// A fingerprint of everything that shapes the image (id, variant, packages, hook,
    /// configuration), recorded in a label: a stand-in made with another recipe is rebuilt.
    pub(crate) fn fingerprint(&self) -> String {
        let parts: Vec<&str> = [self.id, self.variant.as_str(), self.hook]
            .into_iter()
            .chain(self.packages.iter().copied())
            .chain(self.changes.iter().copied())
            .collect();
        format!("{:016x}", fnv1a(&parts.join("\0")))
    }
}

/// FNV-1a, 64 bits: stable across builds and platforms, unlike `DefaultHasher`.
fn fnv1a(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// Why no stand-in can be made for a reference.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NoStandIn {
    /// The image is built on musl libc (Alpine); Debian packages are built against glibc.
    #[error(
        "no stand-in for '{requested}': it is musl-based (Alpine Linux), and a stand-in cannot \
         be made from Debian packages, which are built against glibc. Load a real image \
         (`docker save {requested} -o image.tar` where a registry answers, then \
         `docker load -i image.tar` here) or point [substitute] at a mirror that has it \
         (e.g. \"{requested}\" = \"mirror.example.com/{requested}\")"
    )]
    Musl {
        /// The reference asked for.
        requested: String,
    },
    /// basebench has no recipe for this image.
    #[error(
        "no stand-in recipe for '{requested}'; basebench can stand in for: {known}. \
         `docker load` the image or point [substitute] at a mirror or a local image"
    )]
    Unknown {
        /// The reference asked for.
        requested: String,
        /// The references that have a recipe.
        known: String,
    },
}

/// Normalise a reference: drop `docker.io/` and `library/`, add `:latest` when there is
/// no tag. Digests are kept as they are.
pub(crate) fn normalize(reference: &str) -> String {
    let mut name = reference.trim();
    for prefix in ["docker.io/", "index.docker.io/", "registry-1.docker.io/"] {
        if let Some(rest) = name.strip_prefix(prefix) {
            name = rest;
            break;
        }
    }
    let name = name.strip_prefix("library/").unwrap_or(name);
    let last = name.rsplit('/').next().unwrap_or(name);
    if name.contains('@') || last.contains(':') {
        name.to_string()
    } else {
        format!("{name}:latest")
    }
}

/// The recipe that stands in for `requested`, or why there is none.
pub(crate) fn recipe_for(requested: &str) -> Result<&'static Recipe, NoStandIn> {
    let wanted = normalize(requested);
    if let Some(recipe) = RECIPES
        .iter()
        .find(|r| r.stands_in_for.contains(&wanted.as_str()))
    {
        return Ok(recipe);
    }
    if wanted.contains("alpine") || wanted.contains("musl") {
        return Err(NoStandIn::Musl {
            requested: requested.to_string(),
        });
    }
    let known: Vec<&str> = RECIPES
        .iter()
        .flat_map(|r| r.stands_in_for.iter().copied())
        .collect();
    Err(NoStandIn::Unknown {
        requested: requested.to_string(),
        known: known.join(", "),
    })
}

/// The reference a stand-in for `requested` is tagged with under the repository `prefix`
/// (`basebench-stand-in` by default; tests use unique ones), e.g.
/// `basebench-stand-in/ubuntu:20.04`, `basebench-stand-in/gcr.io/distroless/python3:latest`.
pub fn stand_in_reference_in(prefix: &str, requested: &str) -> String {
    format!("{prefix}/{}", normalize(requested).replace('@', "-"))
}

/// The references basebench builds by default (`basebench bases`): the article's bases.
pub(crate) const ARTICLE_BASES: &[&str] = &[
    "ubuntu:20.04",
    "python:3.9-slim",
    "gcr.io/distroless/python3",
    "debian:12",
];

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn normalizes_docker_hub_references() {
        assert_eq!(normalize("docker.io/library/ubuntu:20.04"), "ubuntu:20.04");
        assert_eq!(
            normalize("gcr.io/distroless/python3"),
            "gcr.io/distroless/python3:latest"
        );
        assert_eq!(normalize("localhost:5000/app"), "localhost:5000/app:latest");
    }

    #[test]
    fn finds_a_recipe_for_each_article_base_except_alpine() {
        for base in ARTICLE_BASES {
            assert!(recipe_for(base).is_ok(), "{base}");
        }
        let err = recipe_for("python:3.9-alpine").unwrap_err();
        assert!(matches!(err, NoStandIn::Musl { .. }));
        let text = err.to_string();
        assert!(
            text.contains("musl")
                && text.contains("Debian packages")
                && text.contains("docker load")
        );
    }

    #[test]
    fn names_the_known_bases_when_there_is_no_recipe() {
        let text = recipe_for("node:16").unwrap_err().to_string();
        assert!(text.contains("node:16") && text.contains("ubuntu:20.04"));
    }

    #[test]
    fn tags_stand_ins_under_their_own_repository() {
        assert_eq!(
            stand_in_reference_in(STAND_IN_PREFIX, "ubuntu:20.04"),
            "basebench-stand-in/ubuntu:20.04"
        );
        assert_eq!(
            stand_in_reference_in(STAND_IN_PREFIX, "gcr.io/distroless/python3"),
            "basebench-stand-in/gcr.io/distroless/python3:latest"
        );
    }

    #[test]
    fn the_apt_based_stand_ins_configure_apt_as_the_official_images() {
        for requested in ["ubuntu:20.04", "debian:12", "python:3.9-slim"] {
            let hook = recipe_for(requested).unwrap().hook;
            for file in [
                "docker-clean",
                "docker-gzip-indexes",
                "docker-no-languages",
                "docker-autoremove-suggests",
            ] {
                assert!(hook.contains(file), "{requested}: {file}");
                assert!(hook.contains("var/cache/apt/*.bin"), "{requested}");
            }
            assert!(
                hook.find("update-ca-certificates") < hook.find("docker-clean"),
                "{requested}: `root` is set by the certificates' part first"
            );
        }
        let distroless = recipe_for("gcr.io/distroless/python3").unwrap();
        assert!(!distroless.hook.contains("docker-clean"), "no apt there");
    }

    #[test]
    fn a_recipe_change_changes_its_fingerprint() {
        // FNV-1a 64 test vectors (Fowler, Noll, Vo).
        assert_eq!(
            (fnv1a(""), fnv1a("a")),
            (0xcbf29ce484222325, 0xaf63dc4c8601ec8c)
        );
        let slim = recipe_for("python:3.9-slim").unwrap();
        assert!(slim.hook.contains("-name __pycache__"));
        let prints: Vec<String> = RECIPES.iter().map(Recipe::fingerprint).collect();
        let mut distinct = prints.clone();
        distinct.dedup();
        assert_eq!(distinct.len(), RECIPES.len(), "{prints:?}");
        assert_eq!(slim.fingerprint(), slim.fingerprint());
    }
}
