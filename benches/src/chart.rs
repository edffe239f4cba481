//! The SVG charts `bench-report` puts beside BENCHMARKS.md, drawn with `plotters`' SVG
//! backend: text is SVG `<text>` in the `sans-serif` family (no font file is read or
//! embedded), and the same figures always give the same file.

use std::error::Error;

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::SIZES;

/// A chart could not be drawn.
pub type ChartError = Box<dyn Error + Send + Sync>;

const FONT: &str = "sans-serif";
const WIDTH: u32 = 960;
const HEIGHT: u32 = 600;
/// The verify chart's height: times above, ratios below.
const VERIFY_HEIGHT: u32 = 900;
const CAPTION: u32 = 26;
const LABEL: u32 = 17;
const DESC: u32 = 18;

/// Colours that stay apart for colour-blind readers (Okabe and Ito), then greys.
pub const PALETTE: [RGBColor; 8] = [
    RGBColor(0, 114, 178),   // blue
    RGBColor(0, 158, 115),   // bluish green
    RGBColor(213, 94, 0),    // vermilion
    RGBColor(230, 159, 0),   // orange
    RGBColor(204, 121, 167), // reddish purple
    RGBColor(86, 180, 233),  // sky blue
    RGBColor(0, 0, 0),       // black
    RGBColor(128, 128, 128), // grey
];

/// One line of [`verify_time`]: `(body bytes, nanoseconds)` points in body order.
#[derive(Debug, Clone)]
pub struct Line {
    /// The legend's text.
    pub label: String,
    /// Its colour.
    pub color: RGBColor,
    /// Dashed (a variant of the solid line of the same colour) or solid with a marker at
    /// each point.
    pub dashed: bool,
    /// `(bytes, ns)`, one per body size measured.
    pub points: Vec<(f64, f64)>,
}

/// One group of bars of [`bars`]: its axis label and one value per mode (`None`: not run).
#[derive(Debug, Clone)]
pub struct BarGroup {
    /// Under the group, e.g. `axum, 64`.
    pub label: String,
    /// One per mode, in the order of the modes.
    pub values: Vec<Option<f64>>,
}

/// A body size as the report writes it: `256 B`, `1 KiB`, `1 MiB`.
fn size(bytes: f64) -> String {
    match bytes {
        b if b >= f64::from(1 << 20) => format!("{} MiB", (b / f64::from(1 << 20)).round()),
        b if b >= 1024.0 => format!("{} KiB", (b / 1024.0).round()),
        b => format!("{} B", b.round()),
    }
}

/// A duration on a log axis (powers of ten and their 2× and 5×): `200 ns`, `5 µs`.
fn duration(ns: f64) -> String {
    let (value, unit) = if ns < 1e3 {
        (ns, "ns")
    } else if ns < 1e6 {
        (ns / 1e3, "µs")
    } else if ns < 1e9 {
        (ns / 1e6, "ms")
    } else {
        (ns / 1e9, "s")
    };
    format!("{} {unit}", (value * 100.0).round() / 100.0)
}

/// Thousands with a thin space: `12 345`.
fn count(n: f64) -> String {
    let digits = format!("{:.0}", n.max(0.0));
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push('\u{2009}');
        }
        out.push(c);
    }
    out
}

/// Renders `draw` on a white `WIDTH` × `height` SVG and returns its text.
fn svg(
    height: u32,
    draw: impl FnOnce(&DrawingArea<SVGBackend<'_>, Shift>) -> Result<(), ChartError>,
) -> Result<String, ChartError> {
    let mut text = String::new();
    {
        let root = SVGBackend::with_string(&mut text, (WIDTH, height)).into_drawing_area();
        root.fill(&WHITE)?;
        draw(&root)?;
        root.present()?;
    }
    Ok(text)
}

/// Draws each line on `chart` with its legend entry: solid with a marker at each point,
/// or dashed.
fn draw_lines<'a, CT>(
    chart: &mut ChartContext<'a, SVGBackend<'a>, CT>,
    lines: &[Line],
    legend: SeriesLabelPosition,
) -> Result<(), ChartError>
where
    CT: CoordTranslate<From = (f64, f64)>,
{
    for line in lines {
        let color = line.color;
        let style = color.stroke_width(2);
        if line.dashed {
            chart
                .draw_series(DashedLineSeries::new(
                    line.points.iter().copied(),
                    8,
                    5,
                    style,
                ))?
                .label(line.label.as_str())
                .legend(move |(x, y)| {
                    EmptyElement::at((x, y))
                        + PathElement::new(vec![(0, 0), (8, 0)], style)
                        + PathElement::new(vec![(13, 0), (21, 0)], style)
                });
        } else {
            chart
                .draw_series(LineSeries::new(line.points.iter().copied(), style).point_size(4))?
                .label(line.label.as_str())
                .legend(move |(x, y)| {
                    EmptyElement::at((x, y))
                        + PathElement::new(vec![(0, 0), (21, 0)], style)
                        + Circle::new((10, 0), 4, color.filled())
                });
        }
    }
    chart
        .configure_series_labels()
        .position(legend)
        .margin(12)
        .legend_area_size(30)
        .label_font((FONT, LABEL))
        .background_style(WHITE.mix(0.9))
        .border_style(RGBColor(160, 160, 160))
        .draw()?;
    Ok(())
}

/// The smallest and largest `y` of `lines`.
fn y_range(lines: &[Line]) -> Option<(f64, f64)> {
    let ys = lines.iter().flat_map(|l| l.points.iter().map(|p| p.1));
    let (lo, hi) = ys.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), y| {
        (lo.min(y), hi.max(y))
    });
    (lo.is_finite() && hi.is_finite()).then_some((lo, hi))
}

/// Verify time against body size, log-log, one line per verifier (above); below, on a
/// linear scale, `ratios` (each verifier's time over the bare HMAC's, say) and the
/// target they are held to at each size, `limit`, as a dashed grey step.
///
/// # Errors
///
/// When there is nothing to draw or plotters fails.
pub fn verify_time(
    title: &str,
    lines: &[Line],
    ratios: &[Line],
    limit: &[(f64, f64)],
) -> Result<String, ChartError> {
    let Some((lo, hi)) = y_range(lines).filter(|(lo, _)| *lo > 0.0) else {
        return Err("no verify times to draw".into());
    };
    let (lo, hi) = (lo / 1.6, hi * 1.6);
    let mut bold = Vec::new();
    let mut light = Vec::new();
    let mut decade = 10f64.powf(lo.log10().floor());
    while decade <= hi {
        for m in [1.0, 2.0, 5.0] {
            let y = decade * m;
            if (lo..=hi).contains(&y) {
                if m == 1.0 {
                    bold.push(y);
                } else {
                    light.push(y);
                }
            }
        }
        decade *= 10.0;
    }
    let sizes: Vec<f64> = SIZES.iter().map(|&s| s as f64).collect();
    let (x0, x1) = (sizes[0] / 1.5, sizes[sizes.len() - 1] * 1.5);
    let x_axis = || (x0..x1).log_scale().with_key_points(sizes.clone());
    // The target holds at each measured size: a step, changing halfway (on the log axis)
    // between two sizes.
    let mut step = Vec::new();
    for (i, &(x, y)) in limit.iter().enumerate() {
        let from = if i == 0 {
            x0
        } else {
            (limit[i - 1].0 * x).sqrt()
        };
        let to = limit.get(i + 1).map_or(x1, |next| (x * next.0).sqrt());
        step.extend([(from, y), (to, y)]);
    }
    let with_limit: Vec<Line> = ratios
        .iter()
        .cloned()
        .chain((!step.is_empty()).then(|| Line {
            label: "target".to_owned(),
            color: PALETTE[7],
            dashed: true,
            points: step,
        }))
        .collect();
    let (r_lo, r_hi) = y_range(&with_limit).unwrap_or((1.0, 1.0));
    let (r_lo, r_hi) = (
        r_lo.min(1.0) - 0.02,
        r_hi + (r_hi - r_lo.min(1.0)) * 0.45 + 0.02,
    );

    svg(VERIFY_HEIGHT, |root| {
        let root = root.titled(title, (FONT, CAPTION))?;
        let (upper, lower) = root.split_vertically(VERIFY_HEIGHT * 56 / 100);
        let mut times = ChartBuilder::on(&upper)
            .margin(16)
            .x_label_area_size(52)
            .y_label_area_size(92)
            .build_cartesian_2d(
                x_axis(),
                (lo..hi)
                    .log_scale()
                    .with_key_points(bold)
                    .with_light_points(light),
            )?;
        times
            .configure_mesh()
            .x_desc("body size (log scale)")
            .y_desc("time per verification (log scale)")
            .x_label_formatter(&|x| size(*x))
            .y_label_formatter(&|y| duration(*y))
            .label_style((FONT, LABEL))
            .axis_desc_style((FONT, DESC))
            .light_line_style(RGBColor(235, 235, 235))
            .bold_line_style(RGBColor(200, 200, 200))
            .draw()?;
        draw_lines(&mut times, lines, SeriesLabelPosition::UpperLeft)?;

        if with_limit.is_empty() {
            return Ok(());
        }
        let mut shares = ChartBuilder::on(&lower)
            .margin(16)
            .x_label_area_size(52)
            .y_label_area_size(92)
            .build_cartesian_2d(x_axis(), r_lo..r_hi)?;
        shares
            .configure_mesh()
            .x_desc("body size (log scale)")
            .y_desc("ours / bare HMAC")
            .x_label_formatter(&|x| size(*x))
            .y_label_formatter(&|y| format!("{y:.2}×"))
            .label_style((FONT, LABEL))
            .axis_desc_style((FONT, DESC))
            .light_line_style(WHITE)
            .bold_line_style(RGBColor(200, 200, 200))
            .draw()?;
        draw_lines(&mut shares, &with_limit, SeriesLabelPosition::UpperRight)?;
        Ok(())
    })
}

/// Grouped bars from zero: one group per label, one bar per mode, each bar after a
/// group's first marked with its share of the first (`96 %`); a missing value leaves a gap.
///
/// # Errors
///
/// When there is nothing to draw or plotters fails.
pub fn bars(
    title: &str,
    x_desc: &str,
    y_desc: &str,
    modes: &[&str],
    groups: &[BarGroup],
) -> Result<String, ChartError> {
    let top = groups
        .iter()
        .flat_map(|g| g.values.iter().flatten())
        .fold(0.0_f64, |a, &b| a.max(b));
    if groups.is_empty() || top <= 0.0 {
        return Err("no bars to draw".into());
    }
    // x in hundredths of a group (an integer axis, so its key points can be the
    // groups' centres).
    const GROUP: i32 = 100;
    let n = i32::try_from(groups.len()).map_err(|_| "too many groups")?;
    let centres: Vec<i32> = (0..n).map(|i| i * GROUP + GROUP / 2).collect();
    let labels: Vec<&str> = groups.iter().map(|g| g.label.as_str()).collect();
    let modes_n = i32::try_from(modes.len()).map_err(|_| "too many modes")?;
    let slot = (GROUP * 84 / 100) / modes_n.max(1);
    let left = |group: usize, k: usize| {
        // Both fit in i32: checked above.
        GROUP * group as i32 + GROUP * 8 / 100 + slot * k as i32
    };

    svg(HEIGHT, |root| {
        let mut chart = ChartBuilder::on(root)
            .caption(title, (FONT, CAPTION))
            .margin(16)
            .x_label_area_size(52)
            .y_label_area_size(84)
            .build_cartesian_2d((0..n * GROUP).with_key_points(centres), 0.0..top * 1.32)?;
        chart
            .configure_mesh()
            .disable_x_mesh()
            .x_desc(x_desc)
            .y_desc(y_desc)
            .x_label_formatter(&|x| {
                let i = usize::try_from(x / GROUP).unwrap_or(usize::MAX);
                labels.get(i).map_or_else(String::new, |l| (*l).to_owned())
            })
            .y_label_formatter(&|y| count(*y))
            .label_style((FONT, LABEL))
            .axis_desc_style((FONT, DESC))
            .light_line_style(WHITE)
            .bold_line_style(RGBColor(225, 225, 225))
            .draw()?;
        for (k, mode) in modes.iter().enumerate() {
            let color = PALETTE[k % PALETTE.len()];
            let bars = groups.iter().enumerate().filter_map(|(i, g)| {
                let v = (*g.values.get(k)?)?;
                let x = left(i, k);
                Some(Rectangle::new(
                    [(x, 0.0), (x + slot * 92 / 100, v)],
                    color.filled(),
                ))
            });
            let ran = groups
                .iter()
                .any(|g| g.values.get(k).is_some_and(Option::is_some));
            let label = if ran {
                (*mode).to_owned()
            } else {
                format!("{mode} (not run)")
            };
            chart.draw_series(bars)?.label(label).legend(move |(x, y)| {
                Rectangle::new([(x, y - 6), (x + 16, y + 6)], color.filled())
            });
            if k == 0 {
                continue;
            }
            let shares = groups.iter().enumerate().filter_map(|(i, g)| {
                let v = (*g.values.get(k)?)?;
                let base = (*g.values.first()?)?;
                let centre = left(i, k) + slot * 46 / 100;
                Some(Text::new(
                    format!("{:.0} %", v / base * 100.0),
                    (centre, v + top * 0.015),
                    (FONT, 15)
                        .into_font()
                        .color(&BLACK)
                        .pos(Pos::new(HPos::Center, VPos::Bottom)),
                ))
            });
            chart.draw_series(shares)?;
        }
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperRight)
            .margin(12)
            .legend_area_size(26)
            .label_font((FONT, LABEL))
            .background_style(WHITE.mix(0.9))
            .border_style(RGBColor(160, 160, 160))
            .draw()?;
        Ok(())
    })
}
