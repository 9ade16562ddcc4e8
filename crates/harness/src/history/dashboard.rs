//! The history dashboard: one self-contained HTML file (no script, no network): vendors side by
//! side (each target's latest build, per area), then per target its pass-rate trend over every
//! build (SVG drawn here), its regressions and flaky trials, and the trials x last builds matrix
//! grouped by area with the build where each current failure began marked. Written with maud:
//! every value from a results file (target names, build ids, trial names) is escaped by
//! construction.

use super::store::{HistoryError, Store, last_of};
use super::timeline::{BuildSummary, Flaky, Regression, Status, Timeline};
use maud::{DOCTYPE, Markup, PreEscaped, html};
use std::collections::BTreeSet;
use std::fmt::Write as _;

/// Builds per target in the matrix.
pub const MATRIX_BUILDS: usize = 30;

/// Builds looked at for flaky trials.
pub const FLAKY_BUILDS: usize = 20;

/// What the dashboard shows of one target.
#[derive(Debug, Clone)]
pub struct TargetHistory {
    /// Every build, oldest first.
    pub builds: Vec<BuildSummary>,
    /// The last [`MATRIX_BUILDS`] builds with their trials.
    pub recent: Timeline,
    /// Trials failing in the latest build.
    pub regressions: Vec<Regression>,
    /// Trials that flipped in the last [`FLAKY_BUILDS`] builds.
    pub flaky: Vec<Flaky>,
}

/// Reads what the dashboard shows of `targets` (every target when empty), restricted to `area`.
pub fn gather(store: &mut Store, targets: &[String], area: Option<&str>) -> Result<Vec<TargetHistory>, HistoryError> {
    let names = if targets.is_empty() {
        store.targets()?
    } else {
        targets.to_vec()
    };
    let mut out = Vec::new();
    for target in names {
        // The builds are read once and every question is asked over them.
        let builds = store.builds(&target)?;
        let mut recent = store.timeline_over(&target, last_of(&builds, Some(MATRIX_BUILDS)), None)?;
        if let Some(area) = area {
            recent = recent.in_area(area);
        }
        out.push(TargetHistory {
            regressions: store.regressions_over(&target, &builds, area)?,
            flaky: store.flaky_over(&target, &builds, FLAKY_BUILDS, area)?,
            builds,
            recent,
        });
    }
    Ok(out)
}

const STYLE: &str = r#"
body{font:14px/1.45 system-ui,sans-serif;margin:24px;color:#1b1f24;background:#fff}
h1{font-size:22px;margin:0 0 4px} h2{font-size:18px;margin:32px 0 8px;border-top:1px solid #d0d7de;padding-top:16px} h3{font-size:15px;margin:18px 0 6px}
.meta{color:#57606a;margin-bottom:12px}
table{border-collapse:collapse} th,td{border-bottom:1px solid #d8dee4;padding:4px 8px;text-align:left;vertical-align:top}
th{background:#f6f8fa}
.ok{background:#dafbe1;color:#116329;font-weight:600} .bad{background:#ffebe9;color:#a40e26;font-weight:600} .warn{background:#fff8c5;color:#7d4e00;font-weight:600} .none{color:#57606a}
.matrix td{padding:0;border:1px solid #fff;width:14px;height:14px} .matrix td.name{padding:0 8px 0 0;width:auto;white-space:nowrap;border:0}
.matrix td.P{background:#2da44e} .matrix td.F{background:#cf222e} .matrix td.N{background:#afb8c1} .matrix td.A{background:#f6f8fa}
.matrix td.first{outline:3px solid #1b1f24;outline-offset:-3px}
.matrix th.area{background:#fff;padding-top:10px;text-align:left}
.legend span{display:inline-block;width:12px;height:12px;margin:0 4px 0 12px;vertical-align:middle}
svg text{font:11px system-ui,sans-serif;fill:#57606a}
"#;

/// The dashboard of `targets`.
pub fn render(targets: &[TargetHistory], area: Option<&str>) -> String {
    let page = html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                title { "ucwa-conformance history" }
                style { (PreEscaped(STYLE)) }
            }
            body {
                h1 { "ucwa-conformance history" }
                div.meta {
                    (targets.len()) @if targets.len() == 1 { " target" } @else { " targets" }
                    @if let Some(a) = area { " · area " (a) }
                }
                (side_by_side(targets))
                @for t in targets { (target(t)) }
            }
        }
    };
    // Target names and build ids may hold characters HTML forbids (a terminal's ESC): made visible.
    crate::report::escape::xml_chars(&page.into_string()) + "\n"
}

/// Each target's latest build, per area.
fn side_by_side(targets: &[TargetHistory]) -> Markup {
    let latest: Vec<(&str, Option<&BuildSummary>)> = targets
        .iter()
        .map(|t| (t.recent.target.as_str(), t.builds.last()))
        .collect();
    let mut areas: Vec<&str> = Vec::new();
    for (_, build) in &latest {
        for a in build.map(|b| b.areas.as_slice()).unwrap_or_default() {
            if !areas.contains(&a.area.as_str()) {
                areas.push(&a.area);
            }
        }
    }
    html! {
        h2 { "Vendors side by side (latest build of each)" }
        table {
            tr {
                th { "area" }
                @for (name, build) in &latest {
                    th { (name) br; span.none { (build.map_or("", |b| b.build.as_str())) } }
                }
            }
            tr {
                td { b { "whole run" } }
                @for (_, build) in &latest {
                    @let (class, word) = match build.map(|b| b.verdict) {
                        Some(Some(kind)) if kind.is_conformant() => ("ok", kind.word()),
                        Some(Some(kind)) => ("bad", kind.word()),
                        Some(None) => ("none", "unknown"),
                        None => ("none", "no build"),
                    };
                    td class=(class) { (word) }
                }
            }
            @for area in &areas {
                tr {
                    td { (area) }
                    @for (_, build) in &latest {
                        @match build.and_then(|b| b.areas.iter().find(|a| a.area == *area)) {
                            Some(a) => {
                                @let class = match a.verdict.class() {
                                    "" => "none",
                                    class => class,
                                };
                                td class=(class) { (a.text()) }
                            }
                            None => { td.none { "not run" } }
                        }
                    }
                }
            }
        }
    }
}

fn target(t: &TargetHistory) -> Markup {
    html! {
        h2 { (t.recent.target) }
        div.meta {
            (t.builds.len()) @if t.builds.len() == 1 { " build" } @else { " builds" }
            @if let Some(last) = t.builds.last() {
                " · latest " (last.build) " (" (last.at) "): " (last.pass) " passed, " (last.counted) " counted failures"
            }
        }
        (trend(&t.builds))
        (regressions(&t.regressions))
        (flaky(&t.flaky))
        (matrix(&t.recent, &t.regressions))
    }
}

/// The pass rate of every build as a line (SVG), with the first and last build named.
fn trend(builds: &[BuildSummary]) -> Markup {
    const W: f64 = 720.0;
    const H: f64 = 140.0;
    const PAD: f64 = 30.0;
    let (Some(first), Some(last)) = (builds.first(), builds.last()) else {
        return html! {};
    };
    let x = |i: usize| {
        if builds.len() == 1 {
            PAD + (W - 2.0 * PAD) / 2.0
        } else {
            PAD + (W - 2.0 * PAD) * i as f64 / (builds.len() - 1) as f64
        }
    };
    let y = |rate: f64| H - PAD + (2.0 * PAD - H) * rate;
    let mut points = String::new();
    for (i, b) in builds.iter().enumerate() {
        let _ = write!(points, "{:.1},{:.1} ", x(i), y(b.pass_rate()));
    }
    let view = format!("0 0 {W} {H}");
    html! {
        h3 { "Pass rate by build" }
        svg role="img" aria-label="pass rate by build" width=(W) height=(H) viewBox=(view) xmlns="http://www.w3.org/2000/svg" {
            line x1=(PAD) y1=(y(0.0)) x2=(W - PAD) y2=(y(0.0)) stroke="#d0d7de" {}
            line x1=(PAD) y1=(y(1.0)) x2=(W - PAD) y2=(y(1.0)) stroke="#d0d7de" stroke-dasharray="3 3" {}
            text x="2" y=(y(0.0) + 4.0) { "0%" }
            text x="0" y=(y(1.0) + 4.0) { "100%" }
            polyline fill="none" stroke="#0969da" stroke-width="2" points=(points.trim_end()) {}
            // Points only while they stay readable.
            @if builds.len() <= 60 {
                @for (i, b) in builds.iter().enumerate() {
                    circle cx=(format!("{:.1}", x(i))) cy=(format!("{:.1}", y(b.pass_rate()))) r="3"
                        fill=(if b.counted > 0 { "#cf222e" } else { "#2da44e" }) {
                        title { (b.build) ": " (format!("{:.0}", b.pass_rate() * 100.0)) "%" }
                    }
                }
            }
            text x=(PAD) y=(H - 8.0) { (first.build) }
            text x=(W - PAD) y=(H - 8.0) text-anchor="end" { (last.build) }
        }
    }
}

fn regressions(list: &[Regression]) -> Markup {
    html! {
        @if list.is_empty() {
            h3 { "Regressions" }
            p { "No trial fails in the latest build." }
        } @else {
            h3 { "Regressions (" (list.len()) ")" }
            table {
                tr {
                    th { "trial" } th { "area" } th { "outcome" } th { "first failing build" }
                    th { "last passing build" } th { "failing builds" }
                }
                @for r in list {
                    tr {
                        td { (r.trial) }
                        td { (r.areas.join(", ")) }
                        td { (r.outcome.as_str()) }
                        td { (r.first_failing) }
                        td { (r.last_pass.as_deref().unwrap_or("never passed")) }
                        td { (r.failing_builds) }
                    }
                }
            }
        }
    }
}

fn flaky(list: &[Flaky]) -> Markup {
    html! {
        @if list.is_empty() {
            h3 { "Flaky trials" }
            p { "No trial flipped twice in the last " (FLAKY_BUILDS) " builds." }
        } @else {
            h3 { "Flaky trials (" (list.len()) "; last " (FLAKY_BUILDS) " builds)" }
            table {
                tr { th { "trial" } th { "area" } th { "flips" } th { "failing now" } }
                @for f in list {
                    tr {
                        td { (f.trial) }
                        td { (f.areas.join(", ")) }
                        td { (f.flips) }
                        td { @if f.failing_now { "yes" } @else { "no" } }
                    }
                }
            }
        }
    }
}

/// Trials x recent builds, grouped by area (a trial under the first area of its case); the build
/// where a current failure began is outlined.
fn matrix(recent: &Timeline, regressions: &[Regression]) -> Markup {
    let mut areas: BTreeSet<&str> = BTreeSet::new();
    for line in recent.trials.values() {
        areas.insert(line.areas.first().map_or("", String::as_str));
    }
    html! {
        @if !recent.builds.is_empty() {
            h3 { "Trials x last " (recent.builds.len()) " builds" }
            div.legend {
                span style="background:#2da44e" {} "pass"
                span style="background:#cf222e" {} "counted failure"
                span style="background:#afb8c1" {} "neither (skipped, not run, known failure)"
                span style="background:#f6f8fa" {} "absent"
                span style="outline:3px solid #1b1f24;outline-offset:-3px" {} "first failing build"
            }
            table.matrix {
                @for area in &areas {
                    tr { th.area colspan=(recent.builds.len() + 1) { (if area.is_empty() { "no area" } else { area }) } }
                    @for (name, line) in recent.trials.iter().filter(|(_, l)| l.areas.first().map_or("", String::as_str) == *area) {
                        @let first = regressions.iter().find(|r| &r.trial == name).map(|r| r.first_failing.as_str());
                        tr {
                            td.name { (name) }
                            @for (at, build) in recent.builds.iter().enumerate() {
                                @let (class, word) = match line.cells[at].map(|c| (c.status(), c.outcome)) {
                                    Some((Status::Pass, o)) => ("P", o.as_str()),
                                    Some((Status::Fail, o)) => ("F", o.as_str()),
                                    Some((Status::Neither, o)) => ("N", o.as_str()),
                                    None => ("A", "absent"),
                                };
                                @let marked = if first == Some(build.build.as_str()) { " first" } else { "" };
                                td class={ (class) (marked) } title={ (build.build) ": " (word) } {}
                            }
                        }
                    }
                }
            }
        }
    }
}
