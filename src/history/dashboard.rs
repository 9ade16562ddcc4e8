//! The history dashboard: one self-contained HTML file (no script, no network): vendors side by
//! side (each target's latest build, per area), then per target its pass-rate trend over every
//! build (SVG drawn here), its regressions and flaky trials, and the trials x last builds matrix
//! grouped by area with the build where each current failure began marked. Every value from a
//! results file (target names, build ids, trial names) is escaped.

use super::store::{HistoryError, Store};
use super::timeline::{BuildSummary, Flaky, Regression, Status, Timeline};
use crate::judge::area_verdict::AreaWord;
use crate::report::escape::html as esc;
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
        let builds = store.builds(&target)?;
        let mut recent = store.timeline(&target, Some(MATRIX_BUILDS), None)?;
        if let Some(area) = area {
            recent = recent.in_area(area);
        }
        out.push(TargetHistory {
            builds,
            regressions: store.regressions(&target, area)?,
            flaky: store.flaky(&target, FLAKY_BUILDS, area)?,
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
.ok{background:#dafbe1;color:#116329;font-weight:600} .bad{background:#ffebe9;color:#a40e26;font-weight:600} .none{color:#57606a}
.matrix td{padding:0;border:1px solid #fff;width:14px;height:14px} .matrix td.name{padding:0 8px 0 0;width:auto;white-space:nowrap;border:0}
.matrix td.P{background:#2da44e} .matrix td.F{background:#cf222e} .matrix td.N{background:#afb8c1} .matrix td.A{background:#f6f8fa}
.matrix td.first{outline:3px solid #1b1f24;outline-offset:-3px}
.matrix th.area{background:#fff;padding-top:10px;text-align:left}
.legend span{display:inline-block;width:12px;height:12px;margin:0 4px 0 12px;vertical-align:middle}
svg text{font:11px system-ui,sans-serif;fill:#57606a}
"#;

/// The dashboard of `targets`.
pub fn render(targets: &[TargetHistory], area: Option<&str>) -> String {
    let mut out = String::new();
    let _ = write!(
        out,
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>ucwa-conformance history</title>\
         <style>{STYLE}</style></head><body><h1>ucwa-conformance history</h1><div class=\"meta\">{} targets{}</div>",
        targets.len(),
        area.map(|a| format!(" &middot; area {}", esc(a))).unwrap_or_default()
    );
    out.push_str(&side_by_side(targets));
    for t in targets {
        out.push_str(&target(t));
    }
    out.push_str("</body></html>\n");
    out
}

/// Each target's latest build, per area.
fn side_by_side(targets: &[TargetHistory]) -> String {
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
    let mut out = String::from("<h2>Vendors side by side (latest build of each)</h2><table><tr><th>area</th>");
    for (name, build) in &latest {
        let _ = write!(
            out,
            "<th>{}<br><span class=\"none\">{}</span></th>",
            esc(name),
            esc(build.map_or("", |b| b.build.as_str()))
        );
    }
    out.push_str("</tr><tr><td><b>whole run</b></td>");
    for (_, build) in &latest {
        let (class, word) = match build.map(|b| b.verdict.as_str()) {
            Some("conformant") => ("ok", "conformant"),
            Some("not-conformant") => ("bad", "NOT conformant"),
            Some(other) => ("none", other),
            None => ("none", "no build"),
        };
        let _ = write!(out, "<td class=\"{class}\">{}</td>", esc(word));
    }
    out.push_str("</tr>");
    for area in areas {
        let _ = write!(out, "<tr><td>{}</td>", esc(area));
        for (_, build) in &latest {
            let found = build.and_then(|b| b.areas.iter().find(|a| a.area == area));
            match found {
                Some(a) => {
                    let class = match a.verdict {
                        AreaWord::Conformant => "ok",
                        AreaWord::NotConformant => "bad",
                        AreaWord::Incomplete | AreaWord::NotTested => "none",
                    };
                    let detail = if a.counted > 0 {
                        format!(" ({} failed)", a.counted)
                    } else {
                        String::new()
                    };
                    let _ = write!(out, "<td class=\"{class}\">{}{detail}</td>", a.verdict.as_str());
                }
                None => out.push_str("<td class=\"none\">not run</td>"),
            }
        }
        out.push_str("</tr>");
    }
    out.push_str("</table>");
    out
}

fn target(t: &TargetHistory) -> String {
    let name = &t.recent.target;
    let mut out = format!("<h2>{}</h2><div class=\"meta\">{} builds", esc(name), t.builds.len());
    if let Some(last) = t.builds.last() {
        let _ = write!(
            out,
            " &middot; latest {} ({}): {} passed, {} counted failures",
            esc(&last.build),
            esc(&last.at),
            last.pass,
            last.counted
        );
    }
    out.push_str("</div>");
    out.push_str(&trend(&t.builds));
    out.push_str(&regressions(&t.regressions));
    out.push_str(&flaky(&t.flaky));
    out.push_str(&matrix(&t.recent, &t.regressions));
    out
}

/// The pass rate of every build as a line (SVG), with the first and last build named.
fn trend(builds: &[BuildSummary]) -> String {
    const W: f64 = 720.0;
    const H: f64 = 140.0;
    const PAD: f64 = 30.0;
    if builds.is_empty() {
        return String::new();
    }
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
    let mut out = format!(
        "<h3>Pass rate by build</h3><svg role=\"img\" aria-label=\"pass rate by build\" width=\"{W}\" height=\"{H}\" \
         viewBox=\"0 0 {W} {H}\" xmlns=\"http://www.w3.org/2000/svg\">\
         <line x1=\"{PAD}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"#d0d7de\"/>\
         <line x1=\"{PAD}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"#d0d7de\" stroke-dasharray=\"3 3\"/>\
         <text x=\"2\" y=\"{}\">0%</text><text x=\"0\" y=\"{}\">100%</text>\
         <polyline fill=\"none\" stroke=\"#0969da\" stroke-width=\"2\" points=\"{}\"/>",
        y(0.0),
        W - PAD,
        y(0.0),
        y(1.0),
        W - PAD,
        y(1.0),
        y(0.0) + 4.0,
        y(1.0) + 4.0,
        points.trim_end()
    );
    // Points only while they stay readable.
    if builds.len() <= 60 {
        for (i, b) in builds.iter().enumerate() {
            let colour = if b.counted > 0 { "#cf222e" } else { "#2da44e" };
            let _ = write!(
                out,
                "<circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"3\" fill=\"{colour}\"><title>{}: {:.0}%</title></circle>",
                x(i),
                y(b.pass_rate()),
                esc(&b.build),
                b.pass_rate() * 100.0
            );
        }
    }
    let first = &builds[0];
    let last = &builds[builds.len() - 1];
    let _ = write!(
        out,
        "<text x=\"{PAD}\" y=\"{}\">{}</text><text x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text></svg>",
        H - 8.0,
        esc(&first.build),
        W - PAD,
        H - 8.0,
        esc(&last.build)
    );
    out
}

fn regressions(list: &[Regression]) -> String {
    if list.is_empty() {
        return "<h3>Regressions</h3><p>No trial fails in the latest build.</p>".into();
    }
    let mut out = format!(
        "<h3>Regressions ({})</h3><table><tr><th>trial</th><th>area</th><th>outcome</th><th>first failing build</th>\
         <th>last passing build</th><th>failing builds</th></tr>",
        list.len()
    );
    for r in list {
        let _ = write!(
            out,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(&r.trial),
            esc(&r.areas.join(", ")),
            r.outcome.as_str(),
            esc(&r.first_failing),
            r.last_pass.as_deref().map_or_else(|| "never passed".to_string(), esc),
            r.failing_builds
        );
    }
    out.push_str("</table>");
    out
}

fn flaky(list: &[Flaky]) -> String {
    if list.is_empty() {
        return format!("<h3>Flaky trials</h3><p>No trial flipped twice in the last {FLAKY_BUILDS} builds.</p>");
    }
    let mut out = format!(
        "<h3>Flaky trials ({}; last {FLAKY_BUILDS} builds)</h3><table><tr><th>trial</th><th>area</th><th>flips</th>\
         <th>failing now</th></tr>",
        list.len()
    );
    for f in list {
        let _ = write!(
            out,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(&f.trial),
            esc(&f.areas.join(", ")),
            f.flips,
            if f.failing_now { "yes" } else { "no" }
        );
    }
    out.push_str("</table>");
    out
}

/// Trials x recent builds, grouped by area; the build where a current failure began is outlined.
fn matrix(recent: &Timeline, regressions: &[Regression]) -> String {
    if recent.builds.is_empty() {
        return String::new();
    }
    let mut out = format!(
        "<h3>Trials x last {} builds</h3><div class=\"legend\"><span style=\"background:#2da44e\"></span>pass\
         <span style=\"background:#cf222e\"></span>counted failure<span style=\"background:#afb8c1\"></span>neither \
         (skipped, not run, known failure)<span style=\"background:#f6f8fa\"></span>absent\
         <span style=\"outline:3px solid #1b1f24;outline-offset:-3px\"></span>first failing build</div>\
         <table class=\"matrix\">",
        recent.builds.len()
    );
    let mut areas: BTreeSet<&str> = BTreeSet::new();
    for line in recent.trials.values() {
        areas.extend(line.areas.iter().map(String::as_str));
        if line.areas.is_empty() {
            areas.insert("");
        }
    }
    for area in areas {
        let shown = if area.is_empty() { "no area" } else { area };
        let _ = write!(
            out,
            "<tr><th class=\"area\" colspan=\"{}\">{}</th></tr>",
            recent.builds.len() + 1,
            esc(shown)
        );
        for (name, line) in &recent.trials {
            let first_area = line.areas.first().map_or("", String::as_str);
            if first_area != area {
                continue;
            }
            let first = regressions
                .iter()
                .find(|r| &r.trial == name)
                .map(|r| r.first_failing.as_str());
            let _ = write!(out, "<tr><td class=\"name\">{}</td>", esc(name));
            for (at, build) in recent.builds.iter().enumerate() {
                let (class, word) = match line.cells[at].map(|c| (c.status(), c.outcome)) {
                    Some((Status::Pass, o)) => ("P", o.as_str()),
                    Some((Status::Fail, o)) => ("F", o.as_str()),
                    Some((Status::Neither, o)) => ("N", o.as_str()),
                    None => ("A", "absent"),
                };
                let marked = if first == Some(build.build.as_str()) {
                    " first"
                } else {
                    ""
                };
                let _ = write!(
                    out,
                    "<td class=\"{class}{marked}\" title=\"{}: {word}\"></td>",
                    esc(&build.build)
                );
            }
            out.push_str("</tr>");
        }
    }
    out.push_str("</table>");
    out
}
