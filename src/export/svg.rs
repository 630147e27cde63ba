//! Inline SVG charts (no scripts, no fonts to fetch): horizontal stacked bars, grouped
//! bars with optional min–max whiskers, and a line chart over time. The caller passes
//! numbers already in the view model and a formatter for the value labels.

use std::fmt::Write;

use crate::export::escape;

/// Chart width in pixels.
pub(crate) const WIDTH: f64 = 760.0;
/// Space for the category labels on the left.
const LABEL_W: f64 = 170.0;
/// Space for value labels on the right.
const VALUE_W: f64 = 150.0;
const PLOT_W: f64 = WIDTH - LABEL_W - VALUE_W;
const BAR_H: f64 = 14.0;
pub(crate) const TOP: f64 = 34.0;
/// Styles carried inside every chart, so an SVG file stands alone.
const STYLE: &str = "<style>text{font-family:system-ui,sans-serif;font-size:12px;fill:#222}\
.chart-title{font-size:14px;font-weight:600}.value,.legend{fill:#444;font-size:11px}\
.whisker,.axis{stroke:#222;stroke-width:1.2;fill:none}</style>";

/// One value of a bar: its size, colour and a whisker (min, max) when known.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Bar {
    /// Series name (legend and tooltip).
    pub(crate) series: String,
    /// Value; `None` draws "not measured".
    pub(crate) value: Option<f64>,
    /// Fill colour (CSS colour).
    pub(crate) color: &'static str,
    /// Min and max for a whisker.
    pub(crate) range: Option<(f64, f64)>,
}

/// A category (one variant) and its bars.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Group {
    /// Label on the left.
    pub(crate) label: String,
    /// Bars, drawn one under the other (grouped) or end to end (stacked).
    pub(crate) bars: Vec<Bar>,
    /// Shown instead of bars when set (e.g. "failed: ...").
    pub(crate) note: Option<String>,
}

/// Open an `<svg>` element with its title and the shared styles.
pub(crate) fn open(out: &mut String, id: &str, title: &str, height: f64) {
    let _ = write!(
        out,
        "<svg id=\"{id}\" class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" \
         viewBox=\"0 0 {WIDTH} {height}\" width=\"{WIDTH}\" height=\"{height}\" role=\"img\" \
         aria-labelledby=\"{id}-title\"><title id=\"{id}-title\">{t}</title>{STYLE}\
         <text class=\"chart-title\" x=\"0\" y=\"16\">{t}</text>",
        t = escape::html(title)
    );
}

fn legend(out: &mut String, series: &[(&str, &str)], y: f64) {
    let mut x = LABEL_W;
    for (name, color) in series {
        let _ = write!(
            out,
            "<rect x=\"{x}\" y=\"{}\" width=\"10\" height=\"10\" fill=\"{color}\"/>\
             <text class=\"legend\" x=\"{}\" y=\"{}\">{}</text>",
            y - 9.0,
            x + 14.0,
            y,
            escape::html(name)
        );
        x += 24.0 + 7.0 * name.chars().count() as f64;
    }
}

fn scale(groups: &[Group], stacked: bool) -> f64 {
    let max = groups
        .iter()
        .map(|g| {
            let values = g.bars.iter().map(|b| {
                let v = b.value.unwrap_or(0.0);
                b.range.map_or(v, |(_, hi)| hi.max(v))
            });
            if stacked {
                values.sum()
            } else {
                values.fold(0.0, f64::max)
            }
        })
        .fold(0.0, f64::max);
    if max > 0.0 { PLOT_W / max } else { 0.0 }
}

fn label(out: &mut String, text: &str, y: f64) {
    let _ = write!(
        out,
        "<text class=\"label\" x=\"{}\" y=\"{y}\" text-anchor=\"end\">{}</text>",
        LABEL_W - 8.0,
        escape::html(text)
    );
}

fn rect(out: &mut String, x: f64, y: f64, w: f64, bar: &Bar, text: &str) {
    let _ = write!(
        out,
        "<rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"{:.1}\" height=\"{BAR_H}\" fill=\"{}\">\
         <title>{}</title></rect>",
        w.max(1.0),
        bar.color,
        escape::html(&format!("{}: {text}", bar.series))
    );
}

fn whisker(out: &mut String, (lo, hi): (f64, f64), k: f64, y: f64) {
    let (x1, x2, mid) = (LABEL_W + lo * k, LABEL_W + hi * k, y + BAR_H / 2.0);
    let _ = write!(
        out,
        "<path class=\"whisker\" d=\"M{x1:.1} {mid:.1}H{x2:.1}M{x1:.1} {:.1}V{:.1}M{x2:.1} {:.1}V{:.1}\"/>",
        y + 2.0,
        y + BAR_H - 2.0,
        y + 2.0,
        y + BAR_H - 2.0
    );
}

fn value_text(out: &mut String, x: f64, y: f64, text: &str) {
    let _ = write!(
        out,
        "<text class=\"value\" x=\"{:.1}\" y=\"{:.1}\">{}</text>",
        x + 6.0,
        y + BAR_H - 3.0,
        escape::html(text)
    );
}

/// Horizontal bars, one row per group with its bars end to end (e.g. base + added).
pub(crate) fn stacked(id: &str, title: &str, groups: &[Group], fmt: fn(f64) -> String) -> String {
    let row_h = BAR_H + 12.0;
    let height = TOP + 20.0 + row_h * groups.len() as f64;
    let k = scale(groups, true);
    let mut out = String::new();
    open(&mut out, id, title, height);
    let series: Vec<(&str, &str)> = series_of(groups);
    legend(&mut out, &series, TOP);
    for (i, g) in groups.iter().enumerate() {
        let y = TOP + 14.0 + row_h * i as f64;
        label(&mut out, &g.label, y + BAR_H - 3.0);
        if let Some(note) = &g.note {
            value_text(&mut out, LABEL_W - 6.0, y, note);
            continue;
        }
        let mut x = LABEL_W;
        for bar in g.bars.iter().filter(|b| b.value.is_some()) {
            let v = bar.value.unwrap_or(0.0);
            rect(&mut out, x, y, v * k, bar, &fmt(v));
            x += v * k;
        }
        let total: f64 = g.bars.iter().filter_map(|b| b.value).sum();
        value_text(&mut out, x, y, &fmt(total));
    }
    out.push_str("</svg>");
    out
}

fn series_of(groups: &[Group]) -> Vec<(&str, &str)> {
    let mut series: Vec<(&str, &str)> = Vec::new();
    for bar in groups.iter().flat_map(|g| g.bars.iter()) {
        if !series.iter().any(|(s, _)| *s == bar.series) {
            series.push((bar.series.as_str(), bar.color));
        }
    }
    series
}

/// Horizontal grouped bars: per group, one bar per series under each other, each with its
/// value and, when known, a min–max whisker.
pub(crate) fn grouped(id: &str, title: &str, groups: &[Group], fmt: fn(f64) -> String) -> String {
    let per = groups
        .iter()
        .map(|g| g.bars.len())
        .max()
        .unwrap_or(1)
        .max(1) as f64;
    let group_h = per * (BAR_H + 2.0) + 12.0;
    let height = TOP + 20.0 + group_h * groups.len() as f64;
    let k = scale(groups, false);
    let mut out = String::new();
    open(&mut out, id, title, height);
    legend(&mut out, &series_of(groups), TOP);
    for (i, g) in groups.iter().enumerate() {
        let y0 = TOP + 14.0 + group_h * i as f64;
        label(&mut out, &g.label, y0 + BAR_H - 3.0);
        if let Some(note) = &g.note {
            value_text(&mut out, LABEL_W - 6.0, y0, note);
            continue;
        }
        for (j, bar) in g.bars.iter().enumerate() {
            let y = y0 + j as f64 * (BAR_H + 2.0);
            let Some(v) = bar.value else {
                value_text(
                    &mut out,
                    LABEL_W - 6.0,
                    y,
                    &format!("{}: not measured", bar.series),
                );
                continue;
            };
            rect(&mut out, LABEL_W, y, v * k, bar, &fmt(v));
            let mut end = LABEL_W + v * k;
            let mut text = fmt(v);
            if let Some(range) = bar.range {
                whisker(&mut out, range, k, y);
                end = end.max(LABEL_W + range.1 * k);
                let lo = crate::format::number(&fmt(range.0));
                text = format!("{text} [{lo}–{}]", fmt(range.1));
            }
            value_text(&mut out, end, y, &text);
        }
    }
    out.push_str("</svg>");
    out
}
