//! The charts of the report, as SVG text to inline in a page: trend lines (plotters), bar
//! charts (plotters) and sparklines. Pure: data in, a `String` out. Text drawn by plotters is
//! escaped by its SVG backend; the hover titles added here are escaped with [`super::html::escape`].

use plotters::prelude::*;

use crate::measure::Unit;

use super::html::escape;
use super::trend::Point;

/// The width of a full chart, in pixels (readable at 1280 px).
pub const WIDTH: u32 = 1100;
/// The height of a trend chart.
pub const HEIGHT: u32 = 380;

/// Line colours, one per profile (colour-blind safe, Okabe–Ito).
const PALETTE: [RGBColor; 6] = [
    RGBColor(0, 114, 178),
    RGBColor(230, 159, 0),
    RGBColor(0, 158, 115),
    RGBColor(204, 121, 167),
    RGBColor(86, 180, 233),
    RGBColor(213, 94, 0),
];
/// The colour of a regression.
pub const WORSE: RGBColor = RGBColor(200, 40, 40);
/// The colour of an improvement.
pub const BETTER: RGBColor = RGBColor(20, 140, 60);
/// The colour of anything else.
pub const NEUTRAL: RGBColor = RGBColor(130, 130, 130);
/// The colour of a second series of bars beside [`BETTER`] (fat LTO beside PGO).
pub const SECOND: RGBColor = RGBColor(40, 100, 190);
/// The colour of a bar within noise: its interval includes no change.
pub const FAINT: RGBColor = RGBColor(205, 205, 205);

/// One line of a trend chart.
pub struct Line<'a> {
    /// The legend entry (a profile).
    pub name: &'a str,
    /// Its points in commit order.
    pub points: Vec<Point>,
}

/// A trend chart: one metric of one bench, a line per profile, over the commits.
pub struct TrendChart<'a> {
    /// The caption.
    pub title: &'a str,
    /// The metric's name (the y axis says it, with the unit).
    pub metric: &'a str,
    /// The unit of the values.
    pub unit: Unit,
    /// The x labels, one per commit (short shas).
    pub labels: &'a [String],
    /// The hover text of each commit (sha and subject).
    pub hover: &'a [String],
    /// The lines.
    pub lines: Vec<Line<'a>>,
    /// Commit indexes of change points, marked in red.
    pub change_points: Vec<usize>,
    /// Commit indexes where the environment changed, marked in grey.
    pub boundaries: &'a [usize],
}

/// How values of a unit are shown on an axis: the divisor and the unit's label, chosen so the
/// largest value reads between 1 and 1000.
pub fn axis_unit(unit: Unit, max: f64) -> (f64, &'static str) {
    let pick = |steps: &[(f64, &'static str)]| -> (f64, &'static str) {
        let mut chosen = steps[0];
        for &step in steps {
            if max.abs() >= step.0 {
                chosen = step;
            }
        }
        chosen
    };
    match unit {
        Unit::Nanoseconds => pick(&[(1.0, "ns"), (1e3, "µs"), (1e6, "ms"), (1e9, "s")]),
        Unit::Seconds => (1.0, "s"),
        Unit::Instructions => pick(&[
            (1.0, "instructions"),
            (1e3, "thousand instructions"),
            (1e6, "million instructions"),
            (1e9, "billion instructions"),
        ]),
        Unit::Events => pick(&[
            (1.0, "events"),
            (1e3, "thousand events"),
            (1e6, "million events"),
        ]),
        Unit::Bytes => pick(&[(1.0, "bytes"), (1024.0, "KiB"), (1024.0 * 1024.0, "MiB")]),
        Unit::Count => pick(&[(1.0, "count"), (1e3, "thousand"), (1e6, "million")]),
        Unit::Ratio => (1.0, "ratio"),
        Unit::BytesPerSecond => pick(&[(1.0, "B/s"), (1e6, "MB/s"), (1e9, "GB/s")]),
        Unit::PerSecond => pick(&[(1.0, "per s"), (1e6, "million per s")]),
    }
}

/// The y range of values: min to max padded by 5%, or ±1% around a constant.
fn y_range(values: impl Iterator<Item = f64>) -> Option<(f64, f64)> {
    let (lo, hi) = values
        .filter(|v| v.is_finite())
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
            (lo.min(v), hi.max(v))
        });
    if !lo.is_finite() {
        return None;
    }
    if hi > lo {
        let pad = (hi - lo) * 0.05;
        Some((lo - pad, hi + pad))
    } else {
        let pad = if lo == 0.0 { 1.0 } else { lo.abs() * 0.01 };
        Some((lo - pad, hi + pad))
    }
}

/// Why a chart cannot be drawn: plotters' error, in its words.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("cannot draw a chart: {0}")]
pub struct ChartError(pub String);

/// A plotters error as a [`ChartError`].
fn failed<E: std::fmt::Debug>(e: E) -> ChartError {
    ChartError(format!("{e:?}"))
}

/// Renders a trend chart; `None` when it has no point to draw.
pub fn trend(chart: &TrendChart<'_>) -> Result<Option<String>, ChartError> {
    let all = chart
        .lines
        .iter()
        .flat_map(|l| l.points.iter())
        .flat_map(|p| {
            let (a, b) = p.band.unwrap_or((p.value, p.value));
            [p.value, a, b]
        });
    let Some((lo, hi)) = y_range(all) else {
        return Ok(None);
    };
    let (div, unit_label) = axis_unit(chart.unit, lo.abs().max(hi.abs()));
    let (lo, hi) = (lo / div, hi / div);
    let n = chart.labels.len().max(1);
    let mut svg = String::new();
    let mut hover_boxes = Vec::new();
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, HEIGHT)).into_drawing_area();
        root.fill(&WHITE).map_err(failed)?;
        let mut ctx = ChartBuilder::on(&root)
            .caption(chart.title, ("sans-serif", 18))
            .margin(12)
            .x_label_area_size(50)
            .y_label_area_size(90)
            .build_cartesian_2d(-0.5..(n as f64 - 0.5), lo..hi)
            .map_err(failed)?;
        let labels = chart.labels;
        let x_label = |x: &f64| -> String {
            let i = x.round();
            if (x - i).abs() > 1e-9 || i < 0.0 {
                return String::new();
            }
            labels.get(i as usize).cloned().unwrap_or_default()
        };
        ctx.configure_mesh()
            .x_desc("commit (first-parent history, oldest first)")
            .y_desc(format!("{} ({unit_label})", chart.metric))
            .x_labels(n.min(10))
            .x_label_formatter(&x_label)
            .y_label_formatter(&|y: &f64| short_number(*y))
            .light_line_style(RGBColor(235, 235, 235))
            .draw()
            .map_err(failed)?;
        for &b in chart.boundaries {
            let x = b as f64 - 0.5;
            ctx.draw_series(LineSeries::new(
                vec![(x, lo), (x, hi)],
                NEUTRAL.stroke_width(2),
            ))
            .map_err(failed)?;
        }
        for (i, line) in chart.lines.iter().enumerate() {
            let color = PALETTE[i % PALETTE.len()];
            let banded: Vec<(f64, f64, f64)> = line
                .points
                .iter()
                .filter_map(|p| p.band.map(|(a, b)| (p.at as f64, a / div, b / div)))
                .collect();
            if banded.len() >= 2 {
                let mut outline: Vec<(f64, f64)> = banded.iter().map(|&(x, _, b)| (x, b)).collect();
                outline.extend(banded.iter().rev().map(|&(x, a, _)| (x, a)));
                ctx.draw_series(std::iter::once(Polygon::new(outline, color.mix(0.18))))
                    .map_err(failed)?;
            }
            let points: Vec<(f64, f64)> = line
                .points
                .iter()
                .map(|p| (p.at as f64, p.value / div))
                .collect();
            ctx.draw_series(LineSeries::new(points.clone(), color.stroke_width(2)))
                .map_err(failed)?
                .label(line.name)
                .legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 20, y)], color.stroke_width(3))
                });
            if points.len() <= 120 {
                ctx.draw_series(points.iter().map(|&p| Circle::new(p, 3, color.filled())))
                    .map_err(failed)?;
            }
        }
        if !chart.change_points.is_empty() {
            let marks: Vec<f64> = chart
                .change_points
                .iter()
                .map(|&c| c as f64 - 0.5)
                .collect();
            for (k, x) in marks.iter().enumerate() {
                let series = ctx
                    .draw_series(LineSeries::new(
                        vec![(*x, lo), (*x, hi)],
                        WORSE.stroke_width(1),
                    ))
                    .map_err(failed)?;
                if k == 0 {
                    series.label("change point").legend(|(x, y)| {
                        PathElement::new(vec![(x, y), (x + 20, y)], WORSE.stroke_width(1))
                    });
                }
            }
        }
        ctx.configure_series_labels()
            .position(SeriesLabelPosition::UpperLeft)
            .background_style(WHITE.mix(0.85))
            .border_style(RGBColor(180, 180, 180))
            .label_font(("sans-serif", 14))
            .draw()
            .map_err(failed)?;
        // Hover targets: one column per commit, over the plotting area.
        let (top, bottom) = (
            ctx.backend_coord(&(0.0, hi)).1,
            ctx.backend_coord(&(0.0, lo)).1,
        );
        for i in 0..chart.hover.len().min(n) {
            let left = ctx.backend_coord(&(i as f64 - 0.5, lo)).0;
            let right = ctx.backend_coord(&(i as f64 + 0.5, lo)).0;
            hover_boxes.push((left, top, (right - left).max(1), (bottom - top).max(1), i));
        }
        root.present().map_err(failed)?;
    }
    let mut overlay = String::new();
    for (x, y, w, h, i) in hover_boxes {
        overlay.push_str(&format!(
            r#"<rect x="{x}" y="{y}" width="{w}" height="{h}" fill="transparent"><title>{}</title></rect>"#,
            escape(&chart.hover[i])
        ));
    }
    Ok(Some(insert_before_end(svg, &overlay)))
}

/// One row of a bar chart: a label and its bars (value, colour).
#[derive(Clone, Debug)]
pub struct BarRow {
    /// The row's label.
    pub label: String,
    /// Its bars, drawn side by side.
    pub bars: Vec<(f64, RGBColor)>,
    /// For each bar, its interval (low, high) in the same units, drawn as a whisker; `None`
    /// for a bar without one. Missing entries count as `None`.
    pub whiskers: Vec<Option<(f64, f64)>>,
}

/// A horizontal bar chart of percentages: one row per label, bars from 0; `legend` names the
/// colours.
pub fn bars(
    title: &str,
    x_desc: &str,
    rows: &[BarRow],
    legend: &[(&str, RGBColor)],
) -> Result<Option<String>, ChartError> {
    let values = rows.iter().flat_map(|r| {
        r.bars
            .iter()
            .map(|b| b.0)
            .chain(r.whiskers.iter().flatten().flat_map(|&(lo, hi)| [lo, hi]))
    });
    let Some((lo, hi)) = y_range(values.chain([0.0])) else {
        return Ok(None);
    };
    if rows.is_empty() {
        return Ok(None);
    }
    // Room on the right for the legend, so it covers no bar.
    let hi = if legend.is_empty() {
        hi
    } else {
        hi + (hi - lo) * 0.3
    };
    let per_row = rows.iter().map(|r| r.bars.len()).max().unwrap_or(1).max(1);
    let height = (80 + rows.len() * (10 + 12 * per_row)).clamp(160, 6000) as u32;
    let label_width = rows
        .iter()
        .map(|r| r.label.chars().count())
        .max()
        .unwrap_or(10)
        .clamp(10, 60) as u32
        * 7;
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, height)).into_drawing_area();
        root.fill(&WHITE).map_err(failed)?;
        let n = rows.len() as f64;
        let mut ctx = ChartBuilder::on(&root)
            .caption(title, ("sans-serif", 18))
            .margin(12)
            .x_label_area_size(45)
            .y_label_area_size(label_width + 10)
            .build_cartesian_2d(lo..hi, -0.5..(n - 0.5))
            .map_err(failed)?;
        let y_label = |y: &f64| -> String {
            let i = y.round();
            if (y - i).abs() > 1e-9 || i < 0.0 {
                return String::new();
            }
            // Row 0 at the top.
            let row = rows.len() as f64 - 1.0 - i;
            rows.get(row as usize)
                .map(|r| truncate(&r.label, 60))
                .unwrap_or_default()
        };
        ctx.configure_mesh()
            .x_desc(x_desc)
            .y_labels(rows.len())
            .y_label_formatter(&y_label)
            .x_label_formatter(&|x: &f64| format!("{x:+.1}%"))
            .disable_y_mesh()
            .light_line_style(RGBColor(235, 235, 235))
            .draw()
            .map_err(failed)?;
        ctx.draw_series(LineSeries::new(
            vec![(0.0, -0.5), (0.0, n - 0.5)],
            BLACK.stroke_width(1),
        ))
        .map_err(failed)?;
        for (r, row) in rows.iter().enumerate() {
            let centre = n - 1.0 - r as f64;
            let k = row.bars.len().max(1) as f64;
            let thick = 0.8 / k;
            for (j, &(value, color)) in row.bars.iter().enumerate() {
                let top = centre + 0.4 - j as f64 * thick;
                ctx.draw_series(std::iter::once(Rectangle::new(
                    [(0.0, top), (value, top - thick * 0.9)],
                    color.filled(),
                )))
                .map_err(failed)?;
                if let Some(&Some((lo, hi))) = row.whiskers.get(j) {
                    let mid = top - thick * 0.45;
                    let tick = thick * 0.3;
                    ctx.draw_series(
                        [
                            vec![(lo, mid), (hi, mid)],
                            vec![(lo, mid - tick), (lo, mid + tick)],
                            vec![(hi, mid - tick), (hi, mid + tick)],
                        ]
                        .into_iter()
                        .map(|points| PathElement::new(points, BLACK.stroke_width(1))),
                    )
                    .map_err(failed)?;
                }
            }
        }
        for &(name, color) in legend {
            ctx.draw_series(std::iter::empty::<Circle<(f64, f64), i32>>())
                .map_err(failed)?
                .label(name)
                .legend(move |(x, y)| {
                    Rectangle::new([(x, y - 5), (x + 14, y + 5)], color.filled())
                });
        }
        if !legend.is_empty() {
            ctx.configure_series_labels()
                .position(SeriesLabelPosition::UpperRight)
                .background_style(WHITE.mix(0.85))
                .border_style(RGBColor(180, 180, 180))
                .label_font(("sans-serif", 14))
                .draw()
                .map_err(failed)?;
        }
        root.present().map_err(failed)?;
    }
    Ok(Some(svg))
}

/// A sparkline: the values as a small polyline, 120 × 24 px, at most 100 points (evenly
/// picked), with the last point marked.
pub fn sparkline(values: &[f64]) -> String {
    const W: f64 = 120.0;
    const H: f64 = 24.0;
    let picked: Vec<f64> = if values.len() > 100 {
        (0..100)
            .map(|i| values[i * (values.len() - 1) / 99])
            .collect()
    } else {
        values.to_vec()
    };
    let Some((lo, hi)) = y_range(picked.iter().copied()) else {
        return String::new();
    };
    let step = if picked.len() > 1 {
        (W - 4.0) / (picked.len() - 1) as f64
    } else {
        0.0
    };
    let y = |v: f64| 2.0 + (H - 4.0) * (1.0 - (v - lo) / (hi - lo));
    let points: Vec<String> = picked
        .iter()
        .enumerate()
        .map(|(i, &v)| format!("{:.1},{:.1}", 2.0 + i as f64 * step, y(v)))
        .collect();
    let last = picked.last().copied().unwrap_or(lo);
    format!(
        r##"<svg class="spark" width="{W}" height="{H}" viewBox="0 0 {W} {H}" role="img"><polyline fill="none" stroke="#0072b2" stroke-width="1.5" points="{}"/><circle cx="{:.1}" cy="{:.1}" r="2.5" fill="#0072b2"/></svg>"##,
        points.join(" "),
        2.0 + (picked.len().max(1) - 1) as f64 * step,
        y(last)
    )
}

/// A number for an axis tick: up to 4 significant digits, no trailing zeros.
fn short_number(v: f64) -> String {
    if v == 0.0 {
        return "0".to_string();
    }
    let digits = (3 - v.abs().log10().floor() as i32).clamp(0, 6) as usize;
    let text = format!("{v:.digits$}");
    if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        text
    }
}

fn truncate(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_string()
    } else {
        let mut out: String = text.chars().take(max - 1).collect();
        out.push('…');
        out
    }
}

fn insert_before_end(mut svg: String, extra: &str) -> String {
    match svg.rfind("</svg>") {
        Some(at) => {
            svg.insert_str(at, extra);
            svg
        }
        None => svg + extra,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Whether the SVG draws `text` (plotters puts a text element's content on a line of its
    /// own).
    fn has_text(svg: &str, text: &str) -> bool {
        svg.lines().any(|l| l.trim() == text)
    }

    fn point(at: usize, value: f64, band: Option<(f64, f64)>) -> Point {
        Point { at, value, band }
    }

    fn chart<'a>(labels: &'a [String], hover: &'a [String]) -> TrendChart<'a> {
        TrendChart {
            title: "parse <medium> & co",
            metric: "wall_time_ns",
            unit: Unit::Nanoseconds,
            labels,
            hover,
            lines: vec![
                Line {
                    name: "release",
                    points: vec![
                        point(0, 1500.0, Some((1400.0, 1600.0))),
                        point(1, 1550.0, Some((1450.0, 1650.0))),
                        point(2, 1700.0, Some((1600.0, 1800.0))),
                    ],
                },
                Line {
                    name: "pgo",
                    points: vec![point(0, 1200.0, None), point(2, 1250.0, None)],
                },
            ],
            change_points: vec![2],
            boundaries: &[],
        }
    }

    #[test]
    fn a_trend_chart_has_lines_axes_legend_and_escaped_hover() {
        let labels: Vec<String> = ["aaa", "bbb", "ccc"].map(String::from).to_vec();
        let hover: Vec<String> = ["a <script>", "b", "c & d"].map(String::from).to_vec();
        let svg = trend(&chart(&labels, &hover))
            .expect("renders")
            .expect("points");
        assert!(svg.starts_with("<svg"), "{}", &svg[..100]);
        assert!(svg.contains("wall_time_ns (µs)"), "the y axis names unit");
        assert!(svg.contains("commit (first-parent history, oldest first)"));
        for text in ["release", "pgo", "change point", "aaa", "ccc"] {
            assert!(has_text(&svg, text), "{text}");
        }
        assert!(
            has_text(&svg, "parse &lt;medium&gt; &amp; co"),
            "the caption is escaped"
        );
        assert!(svg.contains("<title>a &lt;script&gt;</title>"));
        assert!(!svg.contains("<script>"));
        assert!(
            svg.contains("<polyline") || svg.contains("<path"),
            "lines are drawn"
        );
        assert!(svg.contains("<polygon"), "the band is drawn");
        assert!(svg.matches("<rect x=").count() >= 3);
    }

    #[test]
    fn nothing_to_draw_is_no_chart() {
        let labels: Vec<String> = Vec::new();
        let mut c = chart(&labels, &labels);
        c.lines.clear();
        assert_eq!(trend(&c).expect("no error"), None);
        assert_eq!(bars("t", "x", &[], &[]).expect("no error"), None);
        assert_eq!(sparkline(&[]), "");
    }

    #[test]
    fn bar_charts_label_rows_and_legend() {
        let rows = vec![
            BarRow {
                label: "parse/<large>".into(),
                bars: vec![(-14.0, BETTER), (-2.5, NEUTRAL)],
                whiskers: vec![Some((-13.5, -12.5)), None],
            },
            BarRow {
                label: "startup".into(),
                bars: vec![(3.0, WORSE), (0.0, NEUTRAL)],
                whiskers: Vec::new(),
            },
        ];
        let svg = bars(
            "gain",
            "change against release (%)",
            &rows,
            &[("pgo", BETTER)],
        )
        .expect("renders")
        .expect("rows");
        assert!(svg.contains("parse/&lt;large&gt;"));
        assert!(has_text(&svg, "pgo") && svg.contains("change against release (%)"));
        // One whisker: three lines more than without it (the interval and its two ends).
        let mut bare = rows.clone();
        bare[0].whiskers.clear();
        let without = bars(
            "gain",
            "change against release (%)",
            &bare,
            &[("pgo", BETTER)],
        )
        .expect("renders")
        .expect("rows");
        assert_eq!(
            svg.matches("<polyline").count(),
            without.matches("<polyline").count() + 3
        );
    }

    #[test]
    fn axis_units_and_ticks() {
        assert_eq!(axis_unit(Unit::Nanoseconds, 1500.0), (1e3, "µs"));
        assert_eq!(axis_unit(Unit::Nanoseconds, 15.0), (1.0, "ns"));
        assert_eq!(axis_unit(Unit::Bytes, 3.0 * 1024.0 * 1024.0).1, "MiB");
        assert_eq!(axis_unit(Unit::Instructions, 4e6).1, "million instructions");
        assert_eq!(short_number(1.50), "1.5");
        assert_eq!(short_number(1234.0), "1234");
        assert_eq!(short_number(0.012345), "0.01235");
    }

    #[test]
    fn sparklines_pick_at_most_a_hundred_points() {
        let values: Vec<f64> = (0..1000).map(|i| i as f64).collect();
        let s = sparkline(&values);
        let points = s
            .split("points=\"")
            .nth(1)
            .and_then(|r| r.split('"').next())
            .expect("points");
        assert_eq!(points.split(' ').count(), 100);
        assert!(sparkline(&[5.0]).contains("<polyline"));
    }
}
