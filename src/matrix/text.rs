//! The reason cell and the use-case line, generated from a row's facts.

use crate::format;
use crate::matrix::model::{Row, Vulnerabilities};
use crate::stats::Verdict;

fn user_part(row: &Row) -> Option<String> {
    let analysed = row.facts.analysed;
    match row.facts.root {
        Some(true) if analysed => Some("runs as root".into()),
        Some(true) => Some("runs as root (config user)".into()),
        Some(false) if analysed => Some("runs as non-root".into()),
        Some(false) => Some("non-root config user".into()),
        None => None,
    }
}

fn tools_part(row: &Row) -> String {
    let f = &row.facts;
    if !f.analysed {
        return "contents not analysed".into();
    }
    let pkg = f.package_managers.join(", ");
    match (f.shells.is_empty(), f.package_managers.is_empty()) {
        (false, false) => format!("shell and {pkg} present"),
        (false, true) => "shell present, no package manager".into(),
        (true, false) => format!("no shell; {pkg} present"),
        (true, true) => "no shell, no package manager".into(),
    }
}

fn size_part(row: &Row) -> Option<String> {
    let size = row.size.as_ref()?;
    let total = format::bytes(size.total);
    Some(match size.ratio {
        Some(r) if r <= 1.0 && row.works => format!("{total}, the smallest"),
        Some(r) => format!("{total}, {} the smallest", format::ratio(r)),
        None => total,
    })
}

fn smoke_part(row: &Row) -> Option<String> {
    let s = &row.smoke;
    if s.total == 0 {
        return Some("no smoke check".into());
    }
    let what = if s.imports { "imports" } else { "smoke checks" };
    Some(if s.passed == s.total {
        format!("{what} OK")
    } else {
        format!("{what} fail ({}/{} pass)", s.passed, s.total)
    })
}

fn vuln_part(row: &Row) -> Option<String> {
    match &row.facts.vulnerabilities {
        Vulnerabilities::Scanned { critical, high, .. } if critical + high > 0 => {
            Some(format!("{critical} critical / {high} high CVEs"))
        }
        Vulnerabilities::Scanned { .. } => Some("no critical/high CVEs".into()),
        _ => None,
    }
}

/// How the row starts against the reference: "starts in 336 ms (95 % CI 326–352),
/// 1.59× faster than slim (CI 1.49–1.70)" or "…, startup not distinguishable from slim".
fn startup_part(row: &Row, reference: Option<&str>) -> Option<String> {
    let t = row.startup.as_ref()?;
    let mut text = format!("starts in {}", format::millis(t.median));
    if let Some(ci) = t.ci95.filter(|_| !t.is_single_run()) {
        text.push_str(&format!(
            " (95 % CI {})",
            format::interval(ci, format::millis)
        ));
    }
    let (Some(c), Some(reference)) = (row.vs_reference.get("startup_ms"), reference) else {
        return Some(text);
    };
    let [lo, hi] = c.ci95;
    let two = |v: f64| format!("{v:.2}");
    text.push_str(&match c.verdict {
        Verdict::Faster => format!(
            ", {} faster than {reference} (CI {}–{})",
            format::times(1.0 / c.ratio),
            two(1.0 / hi),
            two(1.0 / lo)
        ),
        Verdict::Slower => format!(
            ", {} slower than {reference} (CI {}–{})",
            format::times(c.ratio),
            two(lo),
            two(hi)
        ),
        Verdict::NoClearDifference => {
            format!(", startup not distinguishable from {reference}")
        }
    });
    Some(text)
}

/// The reason cell: the facts behind the ratings, most telling first, joined by `; `.
/// `reference` names the variant the verdicts are against.
pub(crate) fn reason(row: &Row, reference: Option<&str>) -> String {
    if !row.works {
        let failure = row.failure.as_deref().unwrap_or("does not work");
        let mut parts = vec![format!("FAILED: {failure}")];
        parts.extend(stand_in_part(row));
        return parts.join("; ");
    }
    let mut parts: Vec<String> = Vec::new();
    parts.extend(user_part(row));
    parts.push(tools_part(row));
    if row.facts.musl {
        parts.push("musl libc".into());
    }
    parts.extend(size_part(row));
    parts.extend(startup_part(row, reference));
    parts.extend(bytecode_part(row));
    parts.extend(vuln_part(row));
    parts.extend(smoke_part(row));
    parts.extend(stand_in_part(row));
    parts.join("; ")
}

/// "stdlib not precompiled: each start compiles it" (or the packages, or the share when
/// some is): only when it lacks bytecode ([`ModuleCount::lacks_bytecode`]).
///
/// [`ModuleCount::lacks_bytecode`]: crate::anatomy::ModuleCount::lacks_bytecode
fn bytecode_part(row: &Row) -> Option<String> {
    let b = row.facts.bytecode.as_ref()?;
    let judge = |what: &str, it: &str, c: &crate::anatomy::ModuleCount| {
        let share = f64::from(c.compiled) / f64::from(c.modules.max(1));
        if !c.lacks_bytecode() {
            None
        } else if c.compiled == 0 {
            Some(format!("{what} not precompiled: each start compiles {it}"))
        } else {
            Some(format!(
                "{what} {:.0} % precompiled: each start compiles the rest",
                share * 100.0
            ))
        }
    };
    let parts: Vec<String> = b
        .interpreters
        .iter()
        .flat_map(|p| {
            [
                judge("stdlib", "it", &p.stdlib),
                judge("packages", "them", &p.packages),
            ]
        })
        .flatten()
        .collect();
    (!parts.is_empty()).then(|| parts.join("; "))
}

fn stand_in_part(row: &Row) -> Option<String> {
    (!row.stand_in_bases.is_empty()).then(|| "measured on a stand-in base".to_string())
}

/// What the variant suits, from the same facts, first matching rule wins.
pub(crate) fn use_case(row: &Row) -> String {
    let f = &row.facts;
    let small = row.ratings.size.is_some_and(|s| s >= 4);
    let large = row.ratings.size.is_some_and(|s| s <= 2);
    let rule = if !row.works {
        "not usable as measured: fix the failure first"
    } else if !f.analysed {
        "works; analyse the image to judge production fitness"
    } else if f.shells.is_empty() && f.root == Some(false) {
        "production: minimal attack surface; debug with an ephemeral debug container"
    } else if f.shells.is_empty() {
        "production with few tools inside; set a non-root USER first"
    } else if f.musl {
        "small images when every dependency ships musl builds; check native wheels"
    } else if large && !f.package_managers.is_empty() {
        "development and debugging: every tool at hand, too large to ship"
    } else if small {
        "production default: small, and still debuggable with a shell"
    } else {
        "general use: debuggable, moderately sized"
    };
    rule.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::anatomy::{Bytecode, ModuleCount, PythonBytecode};

    fn row_with(stdlib: (u32, u32), packages: (u32, u32)) -> Row {
        let count = |(modules, compiled)| ModuleCount {
            modules,
            compiled,
            ..ModuleCount::default()
        };
        let mut row = Row {
            works: true,
            ..Row::default()
        };
        row.facts.bytecode = Some(Bytecode {
            interpreters: vec![PythonBytecode {
                stdlib: count(stdlib),
                packages: count(packages),
                ..PythonBytecode::default()
            }],
            dont_write_bytecode: false,
        });
        row
    }

    #[test]
    fn the_reason_says_when_the_stdlib_or_packages_are_not_precompiled() {
        let none = reason(&row_with((544, 0), (10, 10)), None);
        assert!(
            none.contains("; stdlib not precompiled: each start compiles it"),
            "{none}"
        );
        assert!(!none.contains("packages"), "{none}");
        let half = reason(&row_with((1000, 500), (200, 0)), None);
        assert!(
            half.contains(
                "stdlib 50 % precompiled: each start compiles the rest; \
                 packages not precompiled: each start compiles them"
            ),
            "{half}"
        );
        let compiled = reason(&row_with((1000, 900), (0, 0)), None);
        assert!(!compiled.contains("precompiled"), "{compiled}");
    }
}
