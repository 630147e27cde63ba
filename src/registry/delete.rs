//! Deleting the tags a run pushed (`basebench clean --registry RESULTS`): each reference's
//! manifest digest from a `HEAD` of the tag, then `DELETE /v2/<name>/manifests/<digest>`
//! (the distribution API deletes manifests by digest; the tag goes with it). A registry
//! whose config does not enable deletion answers 405, which is reported as such. The
//! blobs stay until the registry's garbage collection runs.

use super::send;

/// What deleting one pushed reference did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Deletion {
    /// The manifest (and the tag) is gone.
    Deleted,
    /// The tag was not there (deleted before, or never pushed).
    NotFound,
    /// The registry does not allow deletion (HTTP 405).
    Disabled,
}

/// A pushed reference split as the registry API addresses it: host, repository name, tag.
pub(crate) fn split(reference: &str) -> Option<(&str, &str, &str)> {
    let (host, rest) = reference.split_once('/')?;
    let (name, tag) = rest.rsplit_once(':')?;
    (!host.is_empty() && !name.is_empty() && !tag.is_empty() && !tag.contains('/'))
        .then_some((host, name, tag))
}

/// Delete `reference` (`HOST[:PORT]/NAME:TAG`) from its registry.
pub(crate) async fn delete_reference(reference: &str) -> Result<Deletion, String> {
    let (host, name, tag) =
        split(reference).ok_or_else(|| format!("'{reference}' is not HOST[:PORT]/NAME:TAG"))?;
    let path = format!("/v2/{name}/manifests/{tag}");
    let head = send(hyper::Method::HEAD, host, &path)
        .await
        .map_err(|e| format!("reading http://{host}{path}: {e}"))?;
    match head.status {
        200 => {}
        404 => return Ok(Deletion::NotFound),
        status => return Err(format!("reading http://{host}{path}: HTTP {status}")),
    }
    let digest = head.digest.ok_or_else(|| {
        format!("http://{host}{path} gave no Docker-Content-Digest header: cannot address it")
    })?;
    let path = format!("/v2/{name}/manifests/{digest}");
    let answer = send(hyper::Method::DELETE, host, &path)
        .await
        .map_err(|e| format!("deleting http://{host}{path}: {e}"))?;
    match answer.status {
        200 | 202 => Ok(Deletion::Deleted),
        404 => Ok(Deletion::NotFound),
        405 => Ok(Deletion::Disabled),
        status => {
            let text = String::from_utf8_lossy(&answer.body);
            Err(format!(
                "deleting http://{host}{path}: HTTP {status}: {}",
                text.trim()
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pushed_reference_splits_into_host_name_and_tag() {
        assert_eq!(
            split("127.0.0.1:5000/bench/slim:r1-changed"),
            Some(("127.0.0.1:5000", "bench/slim", "r1-changed"))
        );
        assert_eq!(
            split("registry.example/team/a/b:t"),
            Some(("registry.example", "team/a/b", "t"))
        );
        assert_eq!(split("127.0.0.1:5000/bench/slim"), None);
        assert_eq!(split("slim:r1"), None);
        assert_eq!(split("h/:t"), None);
    }
}
