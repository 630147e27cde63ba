//! The performance page's row for one kind of build: basebench's and the CLI's medians
//! with their range, the median of the per-round ratios with its 95 % interval and range,
//! what basebench sent, and whether the target holds (the interval reaches 1 or lies below
//! it; for a one-file change also: at most twice the changed file sent).

use basebench::stats::Timing;

use super::contexts::Weight;
use super::{Args, Kind, Samples, interval};

/// The Markdown row.
pub(crate) fn row(args: &Args, kind: Kind, samples: &Samples) -> String {
    let ratios: Vec<f64> = samples
        .ours
        .iter()
        .zip(&samples.theirs)
        .map(|(a, b)| a / b)
        .collect();
    let t = |v: &[f64]| Timing::from_samples(v).expect("samples");
    let (ours, theirs, ratio) = (t(&samples.ours), t(&samples.theirs), t(&ratios));
    let interval = interval::median_interval(&ratios, 0.95);
    let ci = interval.map_or("too few rounds".to_string(), |(lo, hi)| {
        format!("{lo:.2}–{hi:.2}")
    });
    let bytes: Vec<u64> = samples.sent.iter().map(|s| s.0).collect();
    let sent_max = bytes.iter().copied().max().unwrap_or_default();
    let send_s = t(&samples.sent.iter().map(|s| s.1).collect::<Vec<_>>());
    let what = match kind {
        Kind::Cold => "cold (no cache, whole context sent)",
        Kind::Cached => "cached rebuild",
        Kind::Change => "rebuild after a one-file change",
    };
    let copied = if args.copy_weight || args.weight == Weight::OneMegabyte {
        "copied"
    } else {
        "not copied"
    };
    let mut holds = interval.is_some_and(|(lo, _)| lo <= 1.0);
    let mut sent = format!("{} in {:.3} s", human(sent_max), send_s.median);
    if kind == Kind::Change {
        let limit = 2 * samples.changed_size;
        holds &= sent_max <= limit;
        sent.push_str(&format!(
            "; changed file {} (limit 2× = {})",
            human(samples.changed_size),
            human(limit)
        ));
    }
    format!(
        "| build {what}, {} context ({copied}), {} | {:.3} s ({:.3}–{:.3}) | {:.3} s ({:.3}–{:.3}) | {:.3} | {ci} | {:.2}–{:.2} | {} | {sent} | {} |",
        args.weight.label(),
        args.transfer.as_str(),
        ours.median,
        ours.min,
        ours.max,
        theirs.median,
        theirs.min,
        theirs.max,
        ratio.median,
        ratio.min,
        ratio.max,
        ratio.n,
        if holds { "yes" } else { "**no**" },
    )
}

pub(crate) fn human(bytes: u64) -> String {
    match bytes {
        b if b >= 1 << 30 => format!("{:.2} GiB", b as f64 / (1u64 << 30) as f64),
        b if b >= 1 << 20 => format!("{:.1} MiB", b as f64 / (1u64 << 20) as f64),
        b if b >= 1 << 10 => format!("{:.1} KiB", b as f64 / 1024.0),
        b => format!("{b} B"),
    }
}
