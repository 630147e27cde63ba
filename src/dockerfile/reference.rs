//! Image references normalised the way Docker does (distribution/reference's
//! `ParseNormalizedNamed` + `TagNameOnly`): `ubuntu`, `ubuntu:latest`,
//! `docker.io/library/ubuntu:latest` and `index.docker.io/library/ubuntu:latest` are the same
//! image. Digests are kept.

/// The fully qualified form of `reference`: registry domain, path, tag (`latest` when there
/// is neither tag nor digest) and digest.
pub(crate) fn normalize_reference(reference: &str) -> String {
    let reference = reference.trim();
    let (name_tag, digest) = match reference.split_once('@') {
        Some((name, digest)) => (name, Some(digest)),
        None => (reference, None),
    };
    let last_slash = name_tag.rfind('/').map_or(0, |i| i + 1);
    let (name, tag) = match name_tag[last_slash..].rfind(':') {
        Some(i) => (
            &name_tag[..last_slash + i],
            Some(&name_tag[last_slash + i + 1..]),
        ),
        None => (name_tag, None),
    };
    let (domain, path) = split_domain(name);
    let mut out = format!("{domain}/{path}");
    match (tag, digest) {
        (Some(tag), _) => {
            out.push(':');
            out.push_str(tag);
        }
        (None, None) => out.push_str(":latest"),
        (None, Some(_)) => {}
    }
    if let Some(digest) = digest {
        out.push('@');
        out.push_str(digest);
    }
    out
}

/// Do `a` and `b` name the same image once normalised?
pub(crate) fn same_reference(a: &str, b: &str) -> bool {
    normalize_reference(a) == normalize_reference(b)
}

/// Does the reference carry an explicit tag other than `latest`, or a digest?
pub(crate) fn is_pinned(reference: &str) -> bool {
    let normalized = normalize_reference(reference);
    normalized.contains('@') || !normalized.ends_with(":latest")
}

/// Split the registry domain from the path, applying Docker Hub's defaults.
fn split_domain(name: &str) -> (String, String) {
    let (domain, path) = match name.split_once('/') {
        Some((first, rest))
            if first.contains('.') || first.contains(':') || first == "localhost" =>
        {
            (first.to_string(), rest.to_string())
        }
        _ => ("docker.io".to_string(), name.to_string()),
    };
    let domain = if domain == "index.docker.io" {
        "docker.io".to_string()
    } else {
        domain
    };
    let path = if domain == "docker.io" && !path.contains('/') {
        format!("library/{path}")
    } else {
        path
    };
    (domain, path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn docker_hub_short_names_are_the_same_image_as_their_long_forms() {
        for r in [
            "ubuntu",
            "ubuntu:latest",
            "library/ubuntu",
            "docker.io/library/ubuntu:latest",
            "index.docker.io/library/ubuntu:latest",
        ] {
            assert_eq!(
                normalize_reference(r),
                "docker.io/library/ubuntu:latest",
                "{r}"
            );
        }
        assert!(!same_reference("ubuntu", "ubuntu:20.04"));
    }

    #[test]
    fn registries_ports_and_digests_are_kept() {
        assert_eq!(
            normalize_reference("gcr.io/distroless/python3"),
            "gcr.io/distroless/python3:latest"
        );
        assert_eq!(
            normalize_reference("localhost:5000/app"),
            "localhost:5000/app:latest"
        );
        assert_eq!(
            normalize_reference("python@sha256:abc"),
            "docker.io/library/python@sha256:abc"
        );
        assert_eq!(
            normalize_reference("python:3.9-slim@sha256:abc"),
            "docker.io/library/python:3.9-slim@sha256:abc"
        );
        assert_eq!(normalize_reference("user/app:1"), "docker.io/user/app:1");
    }

    #[test]
    fn only_a_tag_other_than_latest_or_a_digest_pins_an_image() {
        assert!(is_pinned("ubuntu:20.04"));
        assert!(is_pinned("python@sha256:abc"));
        assert!(!is_pinned("ubuntu"));
        assert!(!is_pinned("ubuntu:latest"));
        assert!(!is_pinned("gcr.io/distroless/python3"));
    }
}
