//! The `python-bytecode` finding: the final image's Python interpreter lacks compiled
//! bytecode for its standard library or its packages, so every container start compiles
//! what it imports. The fact comes from the image's anatomy, not the Dockerfile, so the
//! finding is made after the analysis (`bench::image`), on the Dockerfile line where the
//! fix goes: the final `FROM` (a base without caches) or the last install into the final
//! stage (`precompile::placement`).

use super::{Finding, Severity, finding};
use crate::anatomy::{Bytecode, ModuleCount, PythonBytecode};
use crate::dockerfile::precompile::{self, Precompile};
use crate::format::count;

/// One finding per interpreter of `facts` that lacks bytecode, on the line of `text`
/// where the compile step would go; none when the Dockerfile already compiles.
pub(crate) fn bytecode(text: &str, facts: &Bytecode) -> Vec<Finding> {
    let Ok(Some(at)) = precompile::placement(text) else {
        return Vec::new();
    };
    facts
        .interpreters
        .iter()
        .filter_map(|py| {
            let (stdlib, packages) = (py.stdlib.lacks_bytecode(), py.packages.lacks_bytecode());
            (stdlib || packages).then(|| {
                let message = message(py, stdlib, packages);
                let fix = fix(py, stdlib, packages, at.after_line);
                finding(
                    at.after_line,
                    "python-bytecode",
                    Severity::Warning,
                    message,
                    &fix,
                )
            })
        })
        .collect()
}

fn message(py: &PythonBytecode, stdlib: bool, packages: bool) -> String {
    let of = |c: &ModuleCount| format!("{} of {}", count(c.compiled), count(c.modules));
    let what = match (stdlib, packages) {
        (true, true) => format!(
            "{} standard library and {} package modules",
            of(&py.stdlib),
            of(&py.packages)
        ),
        (true, false) => format!("{} standard library modules", of(&py.stdlib)),
        _ => format!("{} package modules", of(&py.packages)),
    };
    format!(
        "the final image's Python {} has {what} precompiled: every container start compiles \
         the ones it imports again.",
        py.version
    )
}

fn fix(py: &PythonBytecode, stdlib: bool, packages: bool, line: usize) -> String {
    let mut dirs = Vec::new();
    if stdlib {
        dirs.push(py.stdlib_dir.clone());
    }
    if packages {
        dirs.extend(py.package_dirs.iter().cloned());
    }
    let python = py
        .binary
        .clone()
        .unwrap_or_else(|| format!("python{}", py.version));
    let step = precompile::step(&Precompile { python, dirs });
    let pip = if packages {
        ", or let pip compile what it installs (its default: drop --no-compile)"
    } else {
        ""
    };
    format!("add `{step}` after line {line} (exec form: no shell needed){pip}.")
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn python(stdlib: (u32, u32), packages: (u32, u32)) -> Bytecode {
        let c = |(modules, compiled)| ModuleCount {
            modules,
            compiled,
            ..ModuleCount::default()
        };
        Bytecode {
            interpreters: vec![PythonBytecode {
                version: "3.11".into(),
                stdlib_dir: "/usr/lib/python3.11".into(),
                binary: Some("/usr/bin/python3.11".into()),
                stdlib: c(stdlib),
                package_dirs: vec!["/root/.local/lib/python3.11/site-packages".into()],
                packages: c(packages),
            }],
            dont_write_bytecode: false,
        }
    }

    const DISTROLESS: &str = include_str!("../../../variants/Dockerfile.distroless");

    #[test]
    fn a_stdlib_without_caches_is_found_on_the_line_where_the_fix_goes() {
        let found = bytecode(DISTROLESS, &python((544, 0), (2101, 2101)));
        assert_eq!(found.len(), 1);
        let line = DISTROLESS
            .lines()
            .position(|l| l.starts_with("COPY --from=builder"))
            .unwrap_or(0)
            + 1;
        assert_eq!(found[0].line, line);
        assert_eq!(found[0].rule, "python-bytecode");
        assert!(
            found[0]
                .message
                .contains("Python 3.11 has 0 of 544 standard library modules precompiled"),
            "{}",
            found[0].message
        );
        assert_eq!(
            found[0].fix,
            format!(
                "add `RUN [\"/usr/bin/python3.11\", \"-m\", \"compileall\", \"-q\", \
                 \"/usr/lib/python3.11\"]` after line {line} (exec form: no shell needed)."
            )
        );
    }

    #[test]
    fn packages_without_caches_name_their_trees_and_pip() {
        let found = bytecode(DISTROLESS, &python((544, 544), (100, 10)));
        assert!(found[0].message.contains("10 of 100 package modules"));
        assert!(
            found[0]
                .fix
                .contains("/root/.local/lib/python3.11/site-packages\"]")
        );
        assert!(found[0].fix.contains("drop --no-compile"));
    }

    #[test]
    fn compiled_images_and_compiling_dockerfiles_have_no_finding() {
        assert!(bytecode(DISTROLESS, &python((544, 500), (10, 10))).is_empty());
        let compiles = format!("{DISTROLESS}RUN [\"python3\", \"-m\", \"compileall\", \"/usr\"]\n");
        assert!(bytecode(&compiles, &python((544, 0), (0, 0))).is_empty());
        assert!(bytecode(DISTROLESS, &Bytecode::default()).is_empty());
    }
}
