//! Who an image runs as: `Config.User` resolved through the image's `/etc/passwd`.

use super::model::UserFacts;

/// `Config.User` (`uid`, `name`, `uid:gid`, `name:group`, or empty) → uid and root-ness.
pub(crate) fn resolve_user(configured: &str, passwd: Option<&str>) -> UserFacts {
    let name = configured.split(':').next().unwrap_or("").trim();
    let mut facts = UserFacts {
        configured: configured.to_string(),
        ..UserFacts::default()
    };
    if name.is_empty() {
        facts.uid = Some(0);
    } else if let Ok(uid) = name.parse::<u32>() {
        facts.uid = Some(uid);
    } else {
        facts.uid = passwd.and_then(|text| {
            text.lines().find_map(|line| {
                let mut fields = line.split(':');
                (fields.next() == Some(name))
                    .then(|| fields.nth(1)?.trim().parse().ok())
                    .flatten()
            })
        });
        if facts.uid.is_none() {
            let why = if passwd.is_some() {
                format!("user '{name}' is not in /etc/passwd")
            } else {
                format!("user '{name}' cannot be resolved because the image has no /etc/passwd")
            };
            facts.note = Some(format!(
                "{why}; the container would fail to start (counted as not root)"
            ));
        }
    }
    facts.is_root = facts.uid == Some(0);
    facts
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    const PASSWD: &str = "root:x:0:0:root:/root:/bin/bash\napp:x:1000:1000::/home/app:/bin/sh\n";

    #[test]
    fn resolves_users_through_passwd() {
        assert!(resolve_user("", Some(PASSWD)).is_root);
        assert_eq!(resolve_user("app:app", Some(PASSWD)).uid, Some(1000));
        assert!(resolve_user("root", Some(PASSWD)).is_root);
        assert_eq!(resolve_user("65532", None).uid, Some(65532));
        let missing = resolve_user("ghost", Some(PASSWD));
        assert_eq!((missing.uid, missing.is_root), (None, false));
        assert!(
            missing
                .note
                .unwrap()
                .contains("'ghost' is not in /etc/passwd")
        );
        let no_passwd = resolve_user("ghost", None).note.unwrap();
        assert!(no_passwd.contains("cannot be resolved because the image has no /etc/passwd"));
    }
}
