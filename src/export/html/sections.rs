//! The HTML report's tables: the matrix, each image's layers, and the failures.

use std::fmt::Write;

use crate::export::svg::escape;
use crate::format::{self, bytes, millis, seconds};
use crate::matrix::{Matrix, Row};

fn or_dash(v: Option<String>) -> String {
    v.unwrap_or_else(|| "–".to_string())
}

fn name_cell(row: &Row) -> String {
    let mut s = format!("<strong>{}</strong>", escape(&row.name));
    if row.is_reference {
        s.push_str("<span class=\"tag\">reference</span>");
    }
    if !row.stand_in_bases.is_empty() {
        let _ = write!(
            s,
            "<span class=\"tag\" title=\"{}\">stand-in base</span>",
            escape(&row.stand_in_bases.join("; "))
        );
    }
    if row.single_run {
        s.push_str("<span class=\"tag\">single run</span>");
    }
    if !row.works {
        s.push_str("<span class=\"tag bad\">failed</span>");
    }
    s
}

fn size_cell(row: &Row) -> String {
    or_dash(row.size.as_ref().map(|s| {
        let mut text = bytes(s.total);
        if let Some(r) = s.ratio {
            let _ = write!(text, " ({})", format::ratio(r));
        }
        if let (Some(b), Some(a)) = (s.base, s.added) {
            let _ = write!(text, "<br>base {}<br>+ {} added", bytes(b), bytes(a));
        }
        text
    }))
}

fn build_cell(row: &Row) -> String {
    let parts: Vec<String> = [
        ("cold", row.build_cold.as_ref()),
        ("cached", row.build_cached.as_ref()),
        ("change", row.build_incremental.as_ref()),
    ]
    .iter()
    .filter_map(|(l, t)| t.map(|t| format!("{l} {}", format::timing_pm(t, seconds))))
    .collect();
    or_dash((!parts.is_empty()).then(|| parts.join("<br>")))
}

fn image_cell(row: &Row) -> String {
    let f = &row.facts;
    let root = match f.root {
        Some(true) => "root",
        Some(false) => "non-root",
        None => "user unknown",
    };
    if !f.analysed {
        return format!("{root}<br>not analysed");
    }
    let vulns = match &f.vulnerabilities {
        crate::matrix::Vulnerabilities::Scanned {
            critical,
            high,
            other,
            ..
        } => {
            format!("CVEs {critical} crit / {high} high / {other} other")
        }
        _ => "CVEs not scanned".to_string(),
    };
    let wasted = match (f.wasted_bytes, f.efficiency) {
        (Some(w), Some(e)) => format!("wasted: {} ({:.1}% efficient)", format::bytes(w), e * 100.0),
        (Some(w), None) => format!("wasted: {}", format::bytes(w)),
        _ => "wasted: ?".to_string(),
    };
    let packages = format!(
        "packages: {} OS, {} Python",
        f.os_packages.map_or("?".to_string(), |n| n.to_string()),
        f.python_packages.map_or("?".to_string(), |n| n.to_string()),
    );
    format!(
        "{root}<br>shells: {}<br>pkg: {}<br>setuid: {}<br>libc: {}<br>{}<br>{}<br>{vulns}",
        escape(&format::list(&f.shells)),
        escape(&format::list(&f.package_managers)),
        f.setuid_files,
        escape(f.libc.as_deref().unwrap_or("unknown")),
        escape(&wasted),
        escape(&packages),
    )
}

fn ratings_cell(row: &Row) -> String {
    let r = &row.ratings;
    format!(
        "<span class=\"stars\">{}</span> {}/5<br>compatibility {}<br>security {}<br>debugging {}<br>size {}<br>speed {}",
        format::stars(Some(r.overall)),
        r.overall,
        format::rating(Some(r.compatibility)),
        format::rating(r.security),
        format::rating(r.debugging),
        format::rating(r.size),
        format::rating(r.speed)
    )
}

fn matrix_row(out: &mut String, row: &Row) {
    let startup = row.startup.as_ref().map(|t| {
        if t.is_single_run() {
            format!("{}<br>(1 run)", millis(t.median))
        } else {
            format!(
                "{}<br>[{}–{}]",
                millis(t.median),
                millis(t.min),
                millis(t.max)
            )
        }
    });
    let latency = row.latency.as_ref().map(|l| {
        let rps = l
            .concurrent_rps
            .map_or(String::new(), |v| format!("<br>{v:.0} req/s"));
        format!("p50 {}<br>p95 {}{rps}", millis(l.p50), millis(l.p95))
    });
    let memory = row
        .memory
        .as_ref()
        .map(|m| format!("idle {}<br>peak {}", bytes(m.idle), bytes(m.peak)));
    let _ = write!(
        out,
        "<tr class=\"{}\" data-variant=\"{}\"><td class=\"num\">{}</td><td>{}</td><td>{}</td>\
         <td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"nw\">{}</td>\
         <td class=\"nw\">{}</td><td class=\"nw\">{}</td><td class=\"nw\">{}</td>\
         <td class=\"img\">{}</td><td class=\"nw\">{}</td><td class=\"reason\">{}</td></tr>",
        if row.works { "works" } else { "failed" },
        escape(&row.name),
        row.rank,
        name_cell(row),
        if row.works { "✓" } else { "✗" },
        size_cell(row),
        or_dash(row.layers.map(|l| l.to_string())),
        build_cell(row),
        or_dash(startup),
        or_dash(latency),
        or_dash(memory),
        image_cell(row),
        ratings_cell(row),
        escape(&row.reason) + "<br><em>" + &escape(&row.use_case) + "</em>",
    );
}

/// The decision matrix table (`id="matrix"`), best first.
pub fn matrix_table(out: &mut String, matrix: &Matrix) {
    out.push_str(
        "<div class=\"wide\"><table id=\"matrix\"><thead><tr><th>#</th><th>variant</th><th>works</th>\
         <th>size (× smallest)</th><th>layers</th><th>build</th><th>startup</th>\
         <th>latency</th><th>memory</th><th>image</th><th>rating</th>\
         <th>reason · use case</th></tr></thead><tbody>",
    );
    for row in matrix.ranked() {
        matrix_row(out, row);
    }
    out.push_str("</tbody></table></div>");
}

/// Each image's layers, bottom first, with a bar proportional to the largest layer.
pub fn layers(out: &mut String, matrix: &Matrix) {
    out.push_str("<h2>Layers</h2><div id=\"layers\">");
    for row in matrix.ranked().filter(|r| !r.layer_breakdown.is_empty()) {
        let largest = row
            .layer_breakdown
            .iter()
            .map(|l| l.bytes)
            .max()
            .unwrap_or(1)
            .max(1);
        let _ = write!(
            out,
            "<details open><summary>{} — {} layers</summary><table class=\"layers\">\
             <colgroup><col style=\"width:62%\"><col style=\"width:9%\"><col style=\"width:9%\">\
             <col style=\"width:20%\"></colgroup><thead><tr><th>instruction</th><th>size</th>\
             <th>from</th><th>share of largest layer</th></tr></thead><tbody>",
            escape(&row.name),
            row.layer_breakdown.len()
        );
        for layer in &row.layer_breakdown {
            let from = match layer.from_base {
                Some(true) => "base",
                Some(false) => "Dockerfile",
                None => "?",
            };
            let width = (layer.bytes as f64 / largest as f64 * 200.0).max(1.0);
            let _ = write!(
                out,
                "<tr><td><code>{}</code></td><td class=\"num\">{}</td><td>{from}</td>\
                 <td><span class=\"bar{}\" style=\"width:{width:.0}px\"></span></td></tr>",
                escape(&layer.created_by),
                bytes(layer.bytes),
                if layer.from_base == Some(true) {
                    " base"
                } else {
                    ""
                },
            );
        }
        out.push_str("</tbody></table></details>");
    }
    for row in matrix.ranked().filter(|r| r.layer_breakdown.is_empty()) {
        let _ = write!(
            out,
            "<p>{}: no layer information (not built).</p>",
            escape(&row.name)
        );
    }
    out.push_str("</div>");
}

/// The failures with their reasons and log tails (`id="failures"`).
pub fn failures(out: &mut String, matrix: &Matrix) {
    if matrix.failures().next().is_none() {
        return;
    }
    out.push_str("<h2>Failures</h2><div id=\"failures\">");
    for row in matrix.failures() {
        let _ = write!(
            out,
            "<h3>✗ {}</h3><p>{}</p>",
            escape(&row.name),
            escape(row.failure.as_deref().unwrap_or("does not work"))
        );
        let Some(d) = row.failure_detail.as_ref() else {
            continue;
        };
        let mut facts = vec![format!(
            "phase: {}",
            format!("{:?}", d.phase).to_lowercase()
        )];
        facts.extend(d.step.as_ref().map(|s| format!("step: {s}")));
        facts.push(format!("message: {}", d.message));
        facts.extend(d.state.as_ref().map(|s| match d.exit_code {
            Some(c) => format!("container: {s}, exit code {c}"),
            None => format!("container: {s}"),
        }));
        out.push_str("<ul>");
        for fact in facts {
            let _ = write!(out, "<li>{}</li>", escape(&fact));
        }
        out.push_str("</ul>");
        if !d.log_tail.is_empty() {
            let _ = write!(
                out,
                "<details open><summary>last {} log lines</summary><pre>{}</pre></details>",
                d.log_tail.len(),
                escape(&d.log_tail.join("\n"))
            );
        }
    }
    out.push_str("</div>");
}

/// What reading each Dockerfile found (`id="findings"`).
pub fn findings(out: &mut String, matrix: &Matrix) {
    if matrix.with_findings().next().is_none() {
        return;
    }
    out.push_str("<h2>Dockerfile findings</h2><div id=\"findings\">");
    for row in matrix.with_findings() {
        let _ = write!(
            out,
            "<h3>{} <code>{}</code></h3><ul>",
            escape(&row.name),
            escape(&row.dockerfile)
        );
        for f in &row.findings {
            let _ = write!(
                out,
                "<li><b>line {} · {}</b> <code>{}</code>: {} <i>Fix:</i> {}</li>",
                f.line,
                escape(&f.severity),
                escape(&f.rule),
                escape(&f.message),
                escape(&f.fix)
            );
        }
        out.push_str("</ul>");
    }
    out.push_str("</div>");
}
