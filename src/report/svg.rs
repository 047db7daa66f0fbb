//! Small SVG line charts for report.html, drawn in Rust: nice axis ticks, text escaping, the
//! "nines" transform of a percentile axis, and a line chart with axes, grid, ticks, labels and a
//! legend. Every data line is a `<polyline data-series="NAME">` inside
//! `<svg data-chart="ID">`, so a test can find it.

use std::fmt::Write;

/// Escapes text for HTML/SVG: safe in element content and in single- or double-quoted
/// attribute values alike.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            // Control characters other than tab and newline are not allowed in HTML text.
            c if c.is_control() && c != '\n' && c != '\t' && c != '\r' => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    out
}

/// The "nice" step (1, 2 or 5 times a power of ten) that cuts `span` into about `target`
/// intervals.
pub fn nice_step(span: f64, target: usize) -> f64 {
    let span = if span.is_finite() && span > 0.0 {
        span
    } else {
        1.0
    };
    let raw = span / target.max(1) as f64;
    let magnitude = 10f64.powf(raw.log10().floor());
    let f = raw / magnitude;
    let nice = if f <= 1.0 + 1e-9 {
        1.0
    } else if f <= 2.0 + 1e-9 {
        2.0
    } else if f <= 5.0 + 1e-9 {
        5.0
    } else {
        10.0
    };
    nice * magnitude
}

/// An axis domain widened to whole steps, with its ticks.
#[derive(Debug, Clone, PartialEq)]
pub struct Scale {
    pub lo: f64,
    pub hi: f64,
    pub step: f64,
}

impl Scale {
    /// The domain that covers `lo..=hi` in about `target` nice steps; an empty or degenerate
    /// range becomes one unit wide.
    pub fn nice(lo: f64, hi: f64, target: usize) -> Scale {
        let (mut lo, mut hi) = (lo, hi);
        if !lo.is_finite() || !hi.is_finite() {
            (lo, hi) = (0.0, 1.0);
        }
        if hi < lo {
            std::mem::swap(&mut lo, &mut hi);
        }
        if hi - lo < 1e-12 {
            hi = lo + if lo == 0.0 { 1.0 } else { lo.abs() * 0.1 };
        }
        let step = nice_step(hi - lo, target);
        let lo = (lo / step + 1e-9).floor() * step;
        let hi = (hi / step - 1e-9).ceil() * step;
        Scale { lo, hi, step }
    }

    pub fn ticks(&self) -> Vec<f64> {
        let n = ((self.hi - self.lo) / self.step).round() as i64;
        (0..=n.max(0))
            .map(|i| {
                let v = self.lo + i as f64 * self.step;
                // Snap away the float noise (0.30000000000000004) and negative zero.
                let p = 10f64.powi(self.decimals() as i32 + 2);
                let v = (v * p).round() / p;
                if v == 0.0 { 0.0 } else { v }
            })
            .collect()
    }

    /// A tick's label, with as many decimals as the step needs.
    pub fn label(&self, v: f64) -> String {
        format!("{v:.*}", self.decimals())
    }

    fn decimals(&self) -> usize {
        (-(self.step.log10() + 1e-9).floor()).max(0.0) as usize
    }
}

/// Where percentile `q` (0 ≤ q < 1) sits on a "nines" axis: log10(1 / (1 − q)), so 90% is 1,
/// 99% is 2, 99.9% is 3. q = 1 (the maximum) is infinitely far: callers place it themselves.
pub fn nines(q: f64) -> f64 {
    if q >= 1.0 {
        f64::INFINITY
    } else if q <= 0.0 {
        0.0
    } else {
        -(1.0 - q).log10()
    }
}

/// The inverse of [`nines`]: the percentile (0..1) at position `x`.
pub fn quantile_at(x: f64) -> f64 {
    1.0 - 10f64.powf(-x)
}

/// The label of the tick at `k` nines: 0%, 90%, 99%, 99.9%, 99.99%…
pub fn nines_label(k: u32) -> String {
    match k {
        0 => "0%".to_string(),
        1 => "90%".to_string(),
        2 => "99%".to_string(),
        k => format!("99.{}%", "9".repeat(k as usize - 2)),
    }
}

/// One line of a chart. `None` points break the line (a second without requests, say).
#[derive(Debug, Clone)]
pub struct Series {
    pub name: String,
    pub color: &'static str,
    pub width: f64,
    pub dashed: bool,
    pub points: Vec<Option<(f64, f64)>>,
}

impl Series {
    pub fn new(name: impl Into<String>, color: &'static str) -> Series {
        Series {
            name: name.into(),
            color,
            width: 1.75,
            dashed: false,
            points: Vec::new(),
        }
    }

    fn segments(&self) -> Segments {
        let mut out = vec![Vec::new()];
        for p in &self.points {
            match p {
                Some((x, y)) if x.is_finite() && y.is_finite() => {
                    out.last_mut().expect("never empty").push((*x, *y))
                }
                _ => out.push(Vec::new()),
            }
        }
        out.retain(|s| !s.is_empty());
        out
    }
}

/// A fixed axis domain, low and high, with its ticks (value, label).
pub type Domain = (f64, f64, Vec<(f64, String)>);

type Segments = Vec<Vec<(f64, f64)>>;

/// An axis: its title, and either nice ticks over the data (optionally from zero) or a fixed
/// domain with given ticks.
#[derive(Debug, Clone)]
pub struct Axis {
    pub title: String,
    pub from_zero: bool,
    /// Whole numbers only (seconds, counts): no step below 1.
    pub integer: bool,
    pub fixed: Option<Domain>,
    /// Formats a value for the points' tooltips.
    pub format: fn(f64) -> String,
}

impl Axis {
    pub fn integer(title: impl Into<String>, format: fn(f64) -> String) -> Axis {
        Axis {
            integer: true,
            ..Axis::nice(title, format)
        }
    }

    pub fn nice(title: impl Into<String>, format: fn(f64) -> String) -> Axis {
        Axis {
            title: title.into(),
            from_zero: true,
            integer: false,
            fixed: None,
            format,
        }
    }

    fn resolve(&self, values: impl Iterator<Item = f64>) -> Domain {
        if let Some((lo, hi, ticks)) = &self.fixed {
            return (*lo, *hi, ticks.clone());
        }
        let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
        for v in values {
            lo = lo.min(v);
            hi = hi.max(v);
        }
        if lo > hi {
            (lo, hi) = (0.0, 1.0);
        }
        if self.from_zero {
            lo = lo.min(0.0);
        }
        let mut scale = Scale::nice(lo, hi, 6);
        if self.integer && scale.step < 1.0 {
            scale = Scale {
                lo: scale.lo.floor(),
                hi: scale.hi.ceil(),
                step: 1.0,
            };
        }
        let ticks = scale
            .ticks()
            .into_iter()
            .map(|t| (t, scale.label(t)))
            .collect();
        (scale.lo, scale.hi, ticks)
    }
}

#[derive(Debug, Clone)]
pub struct LineChart {
    /// The `data-chart` attribute.
    pub id: String,
    /// For screen readers (`<title>`); the page shows its own heading.
    pub title: String,
    pub x: Axis,
    pub y: Axis,
    pub series: Vec<Series>,
    /// Shown instead of lines when no series has a point.
    pub empty_note: String,
}

const WIDTH: f64 = 1000.0;
const PLOT_HEIGHT: f64 = 300.0;
const LEFT: f64 = 70.0;
const RIGHT: f64 = 40.0;
const TOP: f64 = 14.0;
const BOTTOM: f64 = 50.0;
const LEGEND_ROW: f64 = 20.0;
const LEGEND_COLUMNS: usize = 3;
/// Up to this many points in a chart, each point gets a marker with a tooltip.
const MARKERS_UP_TO: usize = 120;

fn num(v: f64) -> String {
    let s = format!("{v:.1}");
    s.strip_suffix(".0").map(str::to_string).unwrap_or(s)
}

/// A line of the grid, from `(x1, y1)` to `(x2, y2)`; its group gives its stroke.
fn grid_line(o: &mut String, (x1, y1): (f64, f64), (x2, y2): (f64, f64)) {
    let _ = write!(
        o,
        r#"<line x1="{}" y1="{}" x2="{}" y2="{}"/>"#,
        num(x1),
        num(y1),
        num(x2),
        num(y2)
    );
}

fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(max - 1).collect();
        t.push('…');
        t
    }
}

impl LineChart {
    pub fn render(&self) -> String {
        let segments: Vec<(&Series, Segments)> =
            self.series.iter().map(|s| (s, s.segments())).collect();
        let all = || {
            segments
                .iter()
                .flat_map(|(_, segs)| segs.iter().flatten().copied())
        };
        let empty = all().next().is_none();
        let (x_lo, x_hi, x_ticks) = self.x.resolve(all().map(|p| p.0));
        let (y_lo, y_hi, y_ticks) = self.y.resolve(all().map(|p| p.1));

        let shown: Vec<&(&Series, Segments)> =
            segments.iter().filter(|(_, s)| !s.is_empty()).collect();
        let legend_rows = if empty {
            0
        } else {
            shown.len().div_ceil(LEGEND_COLUMNS)
        };
        let plot_w = WIDTH - LEFT - RIGHT;
        let legend_top = TOP + PLOT_HEIGHT + BOTTOM;
        let height = legend_top + legend_rows as f64 * LEGEND_ROW + 6.0;
        let sx = |x: f64| {
            let x = x.clamp(x_lo, x_hi);
            LEFT + (x - x_lo) / (x_hi - x_lo) * plot_w
        };
        let sy = |y: f64| {
            let y = y.clamp(y_lo, y_hi);
            TOP + PLOT_HEIGHT - (y - y_lo) / (y_hi - y_lo) * PLOT_HEIGHT
        };

        let mut o = String::new();
        let _ = write!(
            o,
            r#"<svg class="chart" data-chart="{id}" viewBox="0 0 {w} {h}" width="100%" role="img" aria-label="{t}" xmlns="http://www.w3.org/2000/svg" font-family="system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif" font-size="12"><title>{t}</title>"#,
            id = escape(&self.id),
            w = num(WIDTH),
            h = num(height),
            t = escape(&self.title),
        );
        // Plot area, grid and ticks.
        let _ = write!(
            o,
            r##"<rect x="{}" y="{}" width="{}" height="{}" fill="#fff" stroke="#c8ccd2"/>"##,
            num(LEFT),
            num(TOP),
            num(plot_w),
            num(PLOT_HEIGHT)
        );
        o.push_str(r##"<g class="grid" stroke="#e8eaee" stroke-width="1">"##);
        for (v, _) in &y_ticks {
            let y = sy(*v);
            grid_line(&mut o, (LEFT, y), (LEFT + plot_w, y));
        }
        for (v, _) in &x_ticks {
            let x = sx(*v);
            grid_line(&mut o, (x, TOP), (x, TOP + PLOT_HEIGHT));
        }
        o.push_str("</g>");
        o.push_str(r##"<g class="ticks" fill="#444">"##);
        for (v, label) in &y_ticks {
            let y = sy(*v);
            let _ = write!(
                o,
                r##"<line x1="{}" y1="{y}" x2="{}" y2="{y}" stroke="#888"/><text x="{}" y="{}" text-anchor="end">{}</text>"##,
                num(LEFT - 5.0),
                num(LEFT),
                num(LEFT - 8.0),
                num(y + 4.0),
                escape(label),
                y = num(y),
            );
        }
        for (v, label) in &x_ticks {
            let x = sx(*v);
            let bottom = TOP + PLOT_HEIGHT;
            let _ = write!(
                o,
                r##"<line x1="{x}" y1="{}" x2="{x}" y2="{}" stroke="#888"/><text x="{x}" y="{}" text-anchor="middle">{}</text>"##,
                num(bottom),
                num(bottom + 5.0),
                num(bottom + 18.0),
                escape(label),
                x = num(x),
            );
        }
        o.push_str("</g>");
        // Axis titles.
        let _ = write!(
            o,
            r##"<text class="axis-title" x="{}" y="{}" text-anchor="middle" fill="#222">{}</text>"##,
            num(LEFT + plot_w / 2.0),
            num(TOP + PLOT_HEIGHT + 38.0),
            escape(&self.x.title)
        );
        let _ = write!(
            o,
            r##"<text class="axis-title" transform="translate(16 {}) rotate(-90)" text-anchor="middle" fill="#222">{}</text>"##,
            num(TOP + PLOT_HEIGHT / 2.0),
            escape(&self.y.title)
        );

        if empty {
            let _ = write!(
                o,
                r##"<text class="no-data" x="{}" y="{}" text-anchor="middle" fill="#777" font-size="16">{}</text>"##,
                num(LEFT + plot_w / 2.0),
                num(TOP + PLOT_HEIGHT / 2.0),
                escape(&self.empty_note)
            );
            o.push_str("</svg>");
            return o;
        }

        // The lines, the first series on top.
        let total_points: usize = all().count();
        let markers = total_points <= MARKERS_UP_TO;
        for (series, segs) in shown.iter().rev() {
            let name = escape(&series.name);
            let dash = if series.dashed {
                r#" stroke-dasharray="7 4""#
            } else {
                ""
            };
            let _ = write!(o, r#"<g class="series" data-series-group="{name}">"#);
            for seg in segs {
                if seg.len() == 1 {
                    let (x, y) = seg[0];
                    let _ = write!(
                        o,
                        r#"<circle cx="{}" cy="{}" r="{}" fill="{}"/>"#,
                        num(sx(x)),
                        num(sy(y)),
                        num(series.width + 1.0),
                        series.color
                    );
                    continue;
                }
                let points: Vec<String> = seg
                    .iter()
                    .map(|&(x, y)| format!("{},{}", num(sx(x)), num(sy(y))))
                    .collect();
                let _ = write!(
                    o,
                    r#"<polyline data-series="{name}" points="{}" fill="none" stroke="{}" stroke-width="{}" stroke-linejoin="round" stroke-linecap="round"{dash}><title>{name}</title></polyline>"#,
                    points.join(" "),
                    series.color,
                    num(series.width),
                );
            }
            if markers {
                for &(x, y) in segs.iter().flatten() {
                    let _ = write!(
                        o,
                        r#"<circle class="marker" cx="{}" cy="{}" r="2.5" fill="{}"><title>{name} · {}: {}</title></circle>"#,
                        num(sx(x)),
                        num(sy(y)),
                        series.color,
                        escape(&(self.x.format)(x)),
                        escape(&(self.y.format)(y)),
                    );
                }
            }
            o.push_str("</g>");
        }

        // The legend, under the plot.
        let column_w = plot_w / LEGEND_COLUMNS as f64;
        let max_chars = (column_w / 7.0) as usize - 5;
        for (i, (series, _)) in shown.iter().enumerate() {
            let x = LEFT + (i % LEGEND_COLUMNS) as f64 * column_w;
            let y = legend_top + (i / LEGEND_COLUMNS) as f64 * LEGEND_ROW + 8.0;
            let dash = if series.dashed {
                r#" stroke-dasharray="7 4""#
            } else {
                ""
            };
            let _ = write!(
                o,
                r##"<g class="legend-item"><title>{full}</title><line x1="{}" y1="{y}" x2="{}" y2="{y}" stroke="{}" stroke-width="{}"{dash}/><text x="{}" y="{}" fill="#222">{}</text></g>"##,
                num(x),
                num(x + 26.0),
                series.color,
                num(series.width.max(2.0)),
                num(x + 32.0),
                num(y + 4.0),
                escape(&truncate(&series.name, max_chars)),
                full = escape(&series.name),
                y = num(y),
            );
        }
        o.push_str("</svg>");
        o
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_are_one_two_or_five_times_a_power_of_ten() {
        assert_eq!(nice_step(10.0, 5), 2.0);
        assert_eq!(nice_step(144.5, 5), 50.0);
        assert_eq!(nice_step(6000.0, 6), 1000.0);
        assert!((nice_step(0.3, 5) - 0.1).abs() < 1e-12);
        assert!((nice_step(0.2, 4) - 0.05).abs() < 1e-12);
        assert_eq!(nice_step(0.0, 5), 0.2);
        assert_eq!(nice_step(f64::NAN, 5), 0.2);
    }

    #[test]
    fn scales_cover_the_data_in_whole_steps() {
        let s = Scale::nice(0.0, 144.5, 6);
        assert_eq!(
            s,
            Scale {
                lo: 0.0,
                hi: 150.0,
                step: 50.0
            }
        );
        assert_eq!(s.ticks(), vec![0.0, 50.0, 100.0, 150.0]);
        assert_eq!(s.label(50.0), "50");

        let s = Scale::nice(0.0, 10.0, 6);
        assert_eq!(s.ticks(), vec![0.0, 2.0, 4.0, 6.0, 8.0, 10.0]);

        // Exact multiples stay as they are; float noise is snapped away.
        let s = Scale::nice(0.0, 0.3, 3);
        assert_eq!(s.step, 0.1);
        assert_eq!(s.ticks(), vec![0.0, 0.1, 0.2, 0.3]);
        assert_eq!(s.label(s.ticks()[1]), "0.1");
        assert_eq!(Scale::nice(0.0, 0.15, 3).label(0.05), "0.05");

        // Degenerate ranges are widened; reversed ones are put right.
        let s = Scale::nice(0.0, 0.0, 5);
        assert_eq!((s.lo, s.hi), (0.0, 1.0));
        let s = Scale::nice(5.0, 5.0, 5);
        assert!(s.lo <= 5.0 && s.hi > 5.0);
        let s = Scale::nice(9.0, 1.0, 4);
        assert_eq!((s.lo, s.hi), (0.0, 10.0));
        let s = Scale::nice(-3.0, 7.0, 5);
        assert_eq!(s.ticks(), vec![-4.0, -2.0, 0.0, 2.0, 4.0, 6.0, 8.0]);
        assert!(!s.ticks().iter().any(|t| t.is_sign_negative() && *t == 0.0));
    }

    #[test]
    fn escaping_covers_text_and_attributes() {
        assert_eq!(
            escape(r#"<script>alert("x" + 'y')</script> & co"#),
            "&lt;script&gt;alert(&quot;x&quot; + &#39;y&#39;)&lt;/script&gt; &amp; co"
        );
        assert_eq!(escape("µs — ok\n"), "µs — ok\n");
        assert_eq!(escape("a\u{0}b"), "a\u{fffd}b");
        // A quoted attribute cannot be left whichever quote it uses.
        let a = escape(r#"" onload="x' onload='y"#);
        assert!(!a.contains('"') && !a.contains('\''));
    }

    #[test]
    fn the_nines_axis_puts_each_nine_one_unit_further() {
        assert_eq!(nines(0.0), 0.0);
        assert!((nines(0.9) - 1.0).abs() < 1e-9);
        assert!((nines(0.99) - 2.0).abs() < 1e-9);
        assert!((nines(0.999) - 3.0).abs() < 1e-9);
        assert!((nines(0.99999) - 5.0).abs() < 1e-6);
        assert!((nines(0.5) - std::f64::consts::LOG10_2).abs() < 1e-12);
        assert_eq!(nines(1.0), f64::INFINITY);
        for x in [0.0, 0.5, 1.0, 2.5, 4.0] {
            assert!((nines(quantile_at(x)) - x).abs() < 1e-9);
        }
        let labels: Vec<String> = (0..=5).map(nines_label).collect();
        assert_eq!(labels, ["0%", "90%", "99%", "99.9%", "99.99%", "99.999%"]);
    }

    fn chart(series: Vec<Series>) -> LineChart {
        LineChart {
            id: "t".into(),
            title: "T <1>".into(),
            x: Axis::nice("s", |v| format!("{v}")),
            y: Axis::nice("ms", |v| format!("{v}")),
            series,
            empty_note: "no data".into(),
        }
    }

    #[test]
    fn a_chart_draws_each_segment_and_breaks_lines_at_gaps() {
        let mut a = Series::new("p99 <a>", "#000");
        a.points = vec![
            Some((1.0, 5.0)),
            Some((2.0, 7.0)),
            None,
            Some((4.0, 6.0)),
            Some((5.0, 9.0)),
        ];
        let svg = chart(vec![a]).render();
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        assert_eq!(svg.matches(r#"data-series="p99 &lt;a&gt;""#).count(), 2);
        assert!(svg.contains("<title>T &lt;1&gt;</title>"));
        assert!(!svg.contains("no data"));
    }

    #[test]
    fn an_empty_chart_says_so() {
        let svg = chart(vec![Series::new("p50", "#000")]).render();
        assert!(svg.contains(r#"class="no-data""#));
        assert!(!svg.contains("<polyline"));
    }
}
