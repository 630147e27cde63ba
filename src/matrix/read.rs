//! How a row is read from a [`VariantResult`]: its facts, then the ratios to the
//! reference variant (ratings and text come later, in `score` and `text`).

use crate::anatomy::VulnerabilityScan;
use crate::matrix::model::{Facts, Row, ShipView, SizeView, SmokeView, Vulnerabilities};
use crate::results::VariantResult;
use crate::stats::Timing;

/// Read the facts of one variant (ratios, ratings and text come later).
pub(crate) fn row_facts(v: &VariantResult) -> Row {
    let build = v.build.as_ref();
    // A single cold build is the default (its cell says so); the repeated timings count.
    let timings = [
        build.and_then(|b| b.cached_s.as_ref()),
        build.and_then(|b| b.incremental_s.as_ref()),
        v.startup_ms.as_ref(),
    ];
    Row {
        findings: v.findings.clone(),
        name: v.name.clone(),
        testbed: v.testbed.clone(),
        dockerfile: v.dockerfile.clone(),
        description: v.description.clone(),
        works: v.works,
        failure: v.failure.clone(),
        failure_detail: v.failure_detail.clone(),
        stand_in_bases: stand_in_bases(v),
        size: v.image.as_ref().map(|i| SizeView {
            total: i.size_bytes,
            base: i.base_size_bytes,
            added: i.added_bytes,
            ratio: None,
            compressed: i.compressed_bytes,
            shared: i.shared_compressed_bytes,
            pull_s: i.pull_s,
            pull: i.pull.clone(),
            pull_to_healthy_s: i.pull_to_healthy_s,
            pull_layers_present: i
                .pull_layers_present
                .map(|p| (p, i.compressed_layers.len() as u32)),
            pull_estimates: i
                .pull_estimates
                .iter()
                .map(|e| (e.bandwidth_bps, e.seconds))
                .collect(),
            ship: ship_view(v),
        }),
        layers: v.image.as_ref().map(|i| i.layers),
        build_cold: build.map(|b| b.cold_s.clone()),
        build_cached: build.and_then(|b| b.cached_s.clone()),
        build_incremental: build.and_then(|b| b.incremental_s.clone()),
        incremental_steps: build.and_then(|b| b.incremental_steps_run.map(|r| (r, b.steps_total))),
        context_sent: build.and_then(|b| b.context.clone()),
        startup: v.startup_ms.clone(),
        engine_start: v.engine_start_ms.clone(),
        app_ready: v.app_ready_ms.clone(),
        first_start: v.first_start_ms.clone(),
        connect_rtt: v.connect_rtt_ms.clone(),
        vs_reference: v.vs_reference.clone(),
        latency: v.latency_ms.clone(),
        memory: v.memory_bytes.clone(),
        smoke: SmokeView {
            total: v.smoke.len(),
            passed: v.smoke.iter().filter(|s| s.passed()).count(),
            imports: v
                .smoke
                .iter()
                .any(|s| s.command.join(" ").contains("import")),
        },
        facts: facts(v),
        single_run: timings.iter().flatten().any(|t| t.is_single_run()),
        layer_breakdown: super::layers::layers(v),
        warnings: v.warnings.clone(),
        ..Row::default()
    }
}

fn facts(v: &VariantResult) -> Facts {
    let config_root = v.image.as_ref().map(|i| {
        let user = i.config_user.trim();
        user.is_empty() || user == "root" || user == "0" || user.starts_with("0:")
    });
    let Some(a) = v.anatomy.as_ref() else {
        return Facts {
            root: config_root,
            ..Facts::default()
        };
    };
    let vulnerabilities = match &a.vulnerabilities {
        VulnerabilityScan::NotScanned { reason } => Vulnerabilities::NotScanned(reason.clone()),
        VulnerabilityScan::Scanned {
            scanner,
            critical,
            high,
            medium,
            low,
            unknown,
            ..
        } => Vulnerabilities::Scanned {
            scanner: scanner.clone(),
            critical: *critical,
            high: *high,
            other: medium + low + unknown,
        },
    };
    Facts {
        analysed: true,
        root: Some(a.user.is_root),
        shells: a.shells.clone(),
        package_managers: a.package_managers.clone(),
        setuid_files: a.setuid_files.len(),
        os_packages: a.os_packages,
        libc: a.libc.as_ref().map(|l| match &l.version {
            Some(ver) => format!("{} {ver}", l.kind),
            None => l.kind.clone(),
        }),
        musl: a.libc.as_ref().is_some_and(|l| l.kind == "musl"),
        os_release: a.os_release.clone(),
        wasted_bytes: Some(a.wasted_bytes),
        efficiency: Some(a.efficiency),
        python_packages: Some(a.python_packages),
        bytecode: a.bytecode.clone(),
        vulnerabilities,
    }
}

/// Mark the reference and fill the timings' ratios to it: the one the results name when
/// it works, else the smallest working variant (a file of schema 1 names none). Sizes are
/// always to the smallest working variant (docs/SCORING.md), whichever the reference.
/// Returns the reference's name.
pub(crate) fn apply_ratios(rows: &mut [Row], named: Option<&str>) -> Option<String> {
    let smallest = || {
        rows.iter()
            .enumerate()
            .filter(|(_, r)| r.works)
            .filter_map(|(i, r)| r.size.as_ref().map(|s| (i, s.total)))
            .min_by(|a, b| a.1.cmp(&b.1).then(a.0.cmp(&b.0)))
            .map(|(i, _)| i)
    };
    let smallest_size = smallest().and_then(|i| rows[i].size.as_ref().map(|s| s.total));
    let reference = named
        .and_then(|name| rows.iter().position(|r| r.works && r.name == name))
        .or_else(smallest)?;
    rows[reference].is_reference = true;
    let ref_build = rows[reference].build_cold.as_ref().map(|t| t.median);
    let ref_start = rows[reference].startup.as_ref().map(|t| t.median);
    let ref_testbed = rows[reference].testbed.clone();
    for row in rows.iter_mut() {
        // Sizes do not depend on the machine; a timing from another testbed is only
        // compared through the reference measured on that testbed (its `vs_reference`).
        if let (Some(s), Some(base)) = (row.size.as_mut(), smallest_size) {
            s.ratio = divide(s.total as f64, base as f64);
        }
        if row.testbed == ref_testbed {
            row.build_ratio = ratio_of(row.build_cold.as_ref(), ref_build);
            row.startup_ratio = ratio_of(row.startup.as_ref(), ref_start);
        } else {
            let own = |key: &str| row.vs_reference.get(key).map(|c| c.ratio);
            row.build_ratio = own("build_cold_s");
            row.startup_ratio = own("startup_ms");
        }
    }
    Some(rows[reference].name.clone())
}

fn ratio_of(t: Option<&Timing>, reference: Option<f64>) -> Option<f64> {
    divide(t?.median, reference?)
}

fn divide(a: f64, b: f64) -> Option<f64> {
    (b > 0.0 && a.is_finite()).then(|| a / b)
}

/// "requested → stand-in" for each distinct stand-in base (a base used by two stages is
/// listed once).
fn stand_in_bases(v: &VariantResult) -> Vec<String> {
    let mut listed: Vec<String> = Vec::new();
    for base in v.bases.iter().filter(|b| b.stand_in) {
        let text = format!("{} → {}", base.requested, base.actual);
        if !listed.contains(&text) {
            listed.push(text);
        }
    }
    listed
}

/// The code change's push, when its bytes were measured.
fn ship_view(v: &VariantResult) -> Option<ShipView> {
    let ship = v.code_change_ship.as_ref()?;
    Some(ShipView {
        bytes: v.code_change_ship_bytes?,
        layers: ship.layers.len() as u32,
        layers_total: ship.layers_total,
        pull_s: ship.pull_s,
    })
}
