//! Inline SVG charts: a frame with a title and labelled axes, vertical bars, a line with
//! points, vertical marker lines and horizontal stacked bars. Geometry is computed here
//! (pure functions, tested); text goes through [`escape`].

use std::fmt::Write as _;

use super::page::escape;

/// Width of every chart's view box (it scales to its container).
const WIDTH: f64 = 480.0;
const LEFT: f64 = 56.0;
const RIGHT: f64 = 16.0;
/// Space above the plot area (the title).
pub(crate) const TOP: f64 = 36.0;
/// Space below the plot area (ticks and the x-axis label).
pub(crate) const BOTTOM: f64 = 48.0;

/// A rectangle in view-box units.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Rect {
    pub x: f64,
    pub y: f64,
    pub w: f64,
    pub h: f64,
}

/// A chart being written: title, axis labels and the plot area's size.
pub(crate) struct Chart {
    svg: String,
    height: f64,
}

impl Chart {
    /// Opens a chart `height` units tall with its title and axis labels.
    pub fn new(title: &str, x_label: &str, y_label: &str, height: f64) -> Chart {
        let mut svg = String::new();
        let (title, x_label, y_label) = (escape(title), escape(x_label), escape(y_label));
        let _ = write!(
            svg,
            r#"<svg class="chart" viewBox="0 0 {WIDTH} {height}" role="img"><title>{title}</title><text class="chart-title" x="{}" y="20">{title}</text>"#,
            WIDTH / 2.0
        );
        let (bottom, mid_y) = (height - BOTTOM, TOP + (height - TOP - BOTTOM) / 2.0);
        let _ = write!(
            svg,
            r#"<path class="axis" d="M{LEFT} {TOP}V{bottom}H{}"/><text class="axis-label x-label" x="{}" y="{}">{x_label}</text><text class="axis-label y-label" transform="translate(14 {mid_y}) rotate(-90)">{y_label}</text>"#,
            WIDTH - RIGHT,
            LEFT + plot_width() / 2.0,
            height - 8.0,
        );
        Chart { svg, height }
    }

    /// The plot area's height.
    pub fn plot_height(&self) -> f64 {
        self.height - TOP - BOTTOM
    }

    /// The y coordinate of `value` on a scale from 0 to `max`.
    pub fn y(&self, value: f64, max: f64) -> f64 {
        self.height - BOTTOM - scaled(value, max, self.plot_height())
    }

    /// A tick label on the y axis at `value` of `max`, with a light grid line.
    pub fn y_tick(&mut self, value: f64, max: f64, label: &str) {
        let y = self.y(value, max);
        let _ = write!(
            self.svg,
            r#"<path class="grid" d="M{LEFT} {y:.1}H{}"/><text class="tick y-tick" x="{}" y="{:.1}">{}</text>"#,
            WIDTH - RIGHT,
            LEFT - 4.0,
            y + 4.0,
            escape(label)
        );
    }

    /// A tick label under the x axis at view-box `x`.
    /// Labels near the right edge end at `x` so that they are not cut off.
    pub fn x_tick(&mut self, x: f64, label: &str) {
        let anchor = if x > WIDTH - RIGHT - 24.0 {
            "end"
        } else {
            "middle"
        };
        let _ = write!(
            self.svg,
            r#"<text class="tick x-tick" x="{x:.1}" y="{:.1}" text-anchor="{anchor}">{}</text>"#,
            self.height - BOTTOM + 14.0,
            escape(label)
        );
    }

    /// Vertical bars (one per value, equally wide) on a 0..`max` scale, each with a
    /// tooltip.
    pub fn bars(&mut self, values: &[f64], max: f64, tooltips: &[String]) {
        for (rect, tip) in bar_rects(values, max, self.plot_height())
            .iter()
            .zip(tooltips)
        {
            let _ = write!(
                self.svg,
                r#"<rect class="bar" x="{:.1}" y="{:.1}" width="{:.1}" height="{:.1}"><title>{}</title></rect>"#,
                rect.x,
                rect.y + TOP,
                rect.w,
                rect.h,
                escape(tip)
            );
        }
    }

    /// A line through `points` (x in view-box units, y as a value on 0..`max`).
    pub fn line(&mut self, points: &[(f64, f64, String)], max: f64) {
        let path: Vec<String> = points
            .iter()
            .map(|(x, v, _)| format!("{x:.1},{:.1}", self.y(*v, max)))
            .collect();
        let _ = write!(
            self.svg,
            r#"<polyline class="line" points="{}"/>"#,
            path.join(" ")
        );
        for (x, v, tip) in points {
            let _ = write!(
                self.svg,
                r#"<circle class="point" cx="{x:.1}" cy="{:.1}" r="3"><title>{}</title></circle>"#,
                self.y(*v, max),
                escape(tip)
            );
        }
    }

    /// A horizontal reference line at `value` of `max`, labelled at its right end.
    pub fn level(&mut self, value: f64, max: f64, class: &str, label: &str) {
        let y = self.y(value, max);
        let _ = write!(
            self.svg,
            r#"<path class="{class}" d="M{LEFT} {y:.1}H{}"/><text class="marker-label" x="{}" y="{:.1}" text-anchor="end">{}</text>"#,
            WIDTH - RIGHT,
            WIDTH - RIGHT,
            y - 4.0,
            escape(label)
        );
    }

    /// A vertical marker line at view-box `x`, labelled on line `slot` (0, 1, …) from the
    /// top so that close markers do not overlap.
    /// Labels in the right third of the plot end left of their line.
    pub fn marker(&mut self, x: f64, class: &str, label: &str, slot: usize) {
        let (anchor, label_x) = if x > LEFT + plot_width() * 0.66 {
            ("end", x - 3.0)
        } else {
            ("start", x + 3.0)
        };
        let _ = write!(
            self.svg,
            r#"<path class="{class}" d="M{x:.1} {TOP}V{:.1}"/><text class="marker-label {class}-label" x="{label_x:.1}" y="{:.1}" text-anchor="{anchor}">{}</text>"#,
            self.height - BOTTOM,
            TOP + 10.0 + 12.0 * slot as f64,
            escape(label)
        );
    }

    /// Raw SVG elements (already escaped).
    pub fn push(&mut self, svg: &str) {
        self.svg.push_str(svg);
    }

    /// Closes the chart.
    pub fn finish(mut self) -> String {
        self.svg.push_str("</svg>");
        self.svg
    }
}

/// The plot area's width.
pub(crate) fn plot_width() -> f64 {
    WIDTH - LEFT - RIGHT
}

/// The x coordinate of `value` on a 0..`max` scale across the plot area.
pub(crate) fn x_of(value: f64, max: f64) -> f64 {
    LEFT + scaled(value, max, plot_width())
}

/// The centre of slot `index` of `count` equal slots across the plot area.
pub(crate) fn slot_centre(index: usize, count: usize) -> f64 {
    let slot = plot_width() / count.max(1) as f64;
    LEFT + slot * (index as f64 + 0.5)
}

/// `value` of `max` as a length out of `length` (clamped to 0..=length; 0 when max is 0).
pub(crate) fn scaled(value: f64, max: f64, length: f64) -> f64 {
    if max <= 0.0 || !value.is_finite() {
        return 0.0;
    }
    (value / max).clamp(0.0, 1.0) * length
}

/// Equally wide vertical bars across the plot area, heights proportional to `values` on
/// a 0..`max` scale of `plot_height`; `y` is measured from the plot area's top.
pub(crate) fn bar_rects(values: &[f64], max: f64, plot_height: f64) -> Vec<Rect> {
    let slot = plot_width() / values.len().max(1) as f64;
    let gap = (slot * 0.1).min(4.0);
    values
        .iter()
        .enumerate()
        .map(|(i, v)| {
            let h = scaled(*v, max, plot_height);
            Rect {
                x: LEFT + slot * i as f64 + gap / 2.0,
                y: plot_height - h,
                w: slot - gap,
                h,
            }
        })
        .collect()
}

/// Segments of one horizontal 100% bar: `(start, width)` in view-box units from the
/// plot area's left edge for each share in percent (negative or missing shares are 0).
pub(crate) fn stacked(shares: &[f64]) -> Vec<(f64, f64)> {
    let mut start = LEFT;
    shares
        .iter()
        .map(|share| {
            let w = scaled(share.max(0.0), 100.0, plot_width());
            let segment = (start, w);
            start += w;
            segment
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bar_heights_are_proportional_to_values() {
        let rects = bar_rects(&[10.0, 20.0, 40.0, 0.0], 40.0, 200.0);
        assert_eq!(rects.len(), 4);
        assert_eq!(rects[0].h, 50.0);
        assert_eq!(rects[1].h, 100.0);
        assert_eq!(rects[2].h, 200.0);
        assert_eq!(rects[3].h, 0.0);
        // Bars stand on the axis: top + height is the plot's bottom.
        for r in &rects {
            assert_eq!(r.y + r.h, 200.0);
        }
        // Equal widths, left to right, inside the plot area.
        assert!(rects
            .windows(2)
            .all(|w| w[0].w == w[1].w && w[0].x < w[1].x));
        assert!(rects[3].x + rects[3].w <= LEFT + plot_width());
    }

    #[test]
    fn values_past_the_scale_are_clamped() {
        assert_eq!(scaled(150.0, 100.0, 10.0), 10.0);
        assert_eq!(scaled(-5.0, 100.0, 10.0), 0.0);
        assert_eq!(scaled(5.0, 0.0, 10.0), 0.0);
        assert_eq!(x_of(50.0, 100.0), LEFT + plot_width() / 2.0);
    }

    #[test]
    fn stacked_segments_follow_each_other_and_fill_the_width() {
        let segments = stacked(&[25.0, 50.0, 25.0]);
        assert_eq!(segments[0].0, LEFT);
        assert_eq!(segments[1].0, segments[0].0 + segments[0].1);
        assert_eq!(segments[1].1, 2.0 * segments[0].1);
        let end = segments[2].0 + segments[2].1;
        assert!((end - (LEFT + plot_width())).abs() < 1e-9);
    }

    #[test]
    fn a_chart_has_a_title_and_both_axis_labels_escaped() {
        let svg = Chart::new("met <%>", "period & week", "met \"%\"", 200.0).finish();
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        assert!(svg.contains("<title>met &lt;%&gt;</title>"));
        assert!(svg.contains(">period &amp; week</text>"));
        assert!(svg.contains(">met &quot;%&quot;</text>"));
    }
}
