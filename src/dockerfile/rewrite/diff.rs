//! The unified diff of a rewrite, as `diff -u` writes it (three lines of context).

use similar::TextDiff;

/// The unified diff from `old` to `new`, its headers naming `old_name` and `new_name`;
/// empty when they are equal.
pub(crate) fn unified_diff(old: &str, new: &str, old_name: &str, new_name: &str) -> String {
    if old == new {
        return String::new();
    }
    TextDiff::from_lines(old, new)
        .unified_diff()
        .context_radius(3)
        .header(old_name, new_name)
        .to_string()
}

#[cfg(test)]
mod tests {
    //! The diff's shape.

    use super::*;

    #[test]
    fn a_changed_line_is_a_hunk_with_its_context() {
        let d = unified_diff("a\nb\nc\n", "a\nB\nc\n", "Dockerfile", "Dockerfile.x");
        assert_eq!(
            d,
            "--- Dockerfile\n+++ Dockerfile.x\n@@ -1,3 +1,3 @@\n a\n-b\n+B\n c\n"
        );
        assert_eq!(unified_diff("a\n", "a\n", "x", "y"), "");
    }
}
