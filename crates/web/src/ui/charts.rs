//! Charts drawn on the server as SVG: a horizontal bar chart and a monthly line chart (this year against last).
//! Each has axes with round ticks, the unit, and a hover title on every bar and point. Styling is by class (the
//! stylesheet), since the content security policy allows no inline styles.

use std::fmt::Write;

/// Text made safe inside SVG/HTML markup.
pub fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A round step for about `count` ticks up to `max`: 1, 2 or 5 times a power of ten.
pub fn nice_step(max: f64, count: u32) -> f64 {
    if max <= 0.0 || !max.is_finite() {
        return 1.0;
    }
    let raw = max / f64::from(count.max(1));
    let power = 10f64.powf(raw.log10().floor());
    let fraction = raw / power;
    let nice = if fraction <= 1.0 {
        1.0
    } else if fraction <= 2.0 {
        2.0
    } else if fraction <= 5.0 {
        5.0
    } else {
        10.0
    };
    nice * power
}

/// A tick value written without needless decimals.
fn tick_text(value: f64) -> String {
    if value.abs() >= 10.0 || value.fract().abs() < 1e-9 {
        format!("{value:.0}")
    } else {
        let text = format!("{value:.2}");
        text.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

/// One bar: its label, its value for drawing, the value as written, and where a click goes.
pub struct Bar {
    pub label: String,
    pub value: f64,
    pub value_text: String,
    pub href: Option<String>,
}

/// Horizontal bars, largest first as given, with a value axis in `unit`.
pub fn horizontal_bars(bars: &[Bar], unit: &str, title: &str) -> String {
    let label_width = 130.0;
    let right_pad = 80.0;
    let width = 540.0;
    let row = 30.0;
    let top = 34.0;
    let plot = width - label_width - right_pad;
    let height = top + row * bars.len() as f64 + 10.0;
    let max = bars.iter().map(|b| b.value).fold(0.0, f64::max);
    let step = nice_step(max, 4);
    let axis_max = if max > 0.0 {
        (max / step).ceil() * step
    } else {
        1.0
    };
    let x = |v: f64| label_width + plot * (v / axis_max);
    let mut svg = String::new();
    let _ = write!(
        svg,
        r#"<svg class="chart bars" viewBox="0 0 {width} {height}" role="img" aria-label="{}"><title>{}</title>"#,
        esc(title),
        esc(title)
    );
    let mut tick = 0.0;
    while tick <= axis_max + step * 0.01 {
        let tx = x(tick);
        let _ = write!(
            svg,
            r#"<line class="grid-line" x1="{tx:.1}" y1="{}" x2="{tx:.1}" y2="{:.1}"/><text class="tick" x="{tx:.1}" y="{}" text-anchor="middle">{}</text>"#,
            top - 6.0,
            height - 8.0,
            top - 12.0,
            tick_text(tick)
        );
        tick += step;
    }
    let _ = write!(
        svg,
        r#"<text class="tick" x="{:.1}" y="12" text-anchor="end">{}</text>"#,
        width - 4.0,
        esc(unit)
    );
    for (i, bar) in bars.iter().enumerate() {
        let y = top + row * i as f64;
        let w = (x(bar.value.max(0.0)) - label_width).max(0.5);
        let label = truncate(&bar.label, 17);
        let hover = format!("{}: {}", bar.label, bar.value_text);
        let body = format!(
            r#"<text class="label" x="{:.1}" y="{:.1}" text-anchor="end">{}</text><rect class="bar" x="{label_width}" y="{:.1}" width="{w:.1}" height="{:.1}"><title>{}</title></rect><text class="value-label" x="{:.1}" y="{:.1}">{}</text>"#,
            label_width - 6.0,
            y + row * 0.62,
            esc(&label),
            y + 4.0,
            row - 8.0,
            esc(&hover),
            label_width + w + 4.0,
            y + row * 0.62,
            esc(&bar.value_text)
        );
        match &bar.href {
            Some(href) => {
                let _ = write!(svg, r#"<a href="{}">{body}</a>"#, esc(href));
            }
            None => svg.push_str(&body),
        }
    }
    let _ = write!(
        svg,
        r#"<line class="axis" x1="{label_width}" y1="{}" x2="{label_width}" y2="{:.1}"/></svg>"#,
        top - 4.0,
        height - 8.0
    );
    svg
}

/// Shortens a label to `max_width`, counting a Chinese character as two Latin ones.
fn truncate(text: &str, max_width: usize) -> String {
    let width = |c: char| if c.is_ascii() { 1 } else { 2 };
    if text.chars().map(width).sum::<usize>() <= max_width {
        return text.to_string();
    }
    let mut out = String::new();
    let mut used = 0;
    for c in text.chars() {
        if used + width(c) > max_width.saturating_sub(1) {
            break;
        }
        used += width(c);
        out.push(c);
    }
    out.push('…');
    out
}

/// One line of a monthly chart: a value (or nothing) for each month 1–12, with the hover text of each.
pub struct Series {
    pub name: String,
    pub points: Vec<Option<(f64, String)>>,
}

/// Months 1–12 across, two lines (this year solid, last year dashed), a value axis in `unit` from zero.
pub fn monthly_lines(series: &[Series], unit: &str, months: &[String; 12], title: &str) -> String {
    let (width, height) = (560.0, 250.0);
    let (left, right, top, bottom) = (56.0, 16.0, 30.0, 40.0);
    let plot_w = width - left - right;
    let plot_h = height - top - bottom;
    let max = series
        .iter()
        .flat_map(|s| s.points.iter().flatten().map(|(v, _)| *v))
        .fold(0.0, f64::max);
    let step = nice_step(max, 4);
    let axis_max = if max > 0.0 {
        (max / step).ceil() * step
    } else {
        1.0
    };
    let x = |month: usize| left + plot_w * (month as f64) / 11.0;
    let y = |v: f64| top + plot_h * (1.0 - v / axis_max);
    let mut svg = String::new();
    let _ = write!(
        svg,
        r#"<svg class="chart lines" viewBox="0 0 {width} {height}" role="img" aria-label="{}"><title>{}</title>"#,
        esc(title),
        esc(title)
    );
    let mut tick = 0.0;
    while tick <= axis_max + step * 0.01 {
        let ty = y(tick);
        let _ = write!(
            svg,
            r#"<line class="grid-line" x1="{left}" y1="{ty:.1}" x2="{:.1}" y2="{ty:.1}"/><text class="tick" x="{:.1}" y="{:.1}" text-anchor="end">{}</text>"#,
            width - right,
            left - 6.0,
            ty + 4.0,
            tick_text(tick)
        );
        tick += step;
    }
    let _ = write!(
        svg,
        r#"<text class="tick" x="{left}" y="14" text-anchor="start">{}</text>"#,
        esc(unit)
    );
    for (month, label) in months.iter().enumerate() {
        let _ = write!(
            svg,
            r#"<text class="tick" x="{:.1}" y="{:.1}" text-anchor="middle">{}</text>"#,
            x(month),
            height - bottom + 16.0,
            esc(label)
        );
    }
    let _ = write!(
        svg,
        r#"<line class="axis" x1="{left}" y1="{:.1}" x2="{:.1}" y2="{:.1}"/>"#,
        y(0.0),
        width - right,
        y(0.0)
    );
    // Last year first, so this year's line is drawn on top.
    for (index, s) in series.iter().enumerate().rev() {
        let mut path = String::new();
        let mut pen_down = false;
        for (month, point) in s.points.iter().enumerate() {
            match point {
                Some((v, _)) => {
                    let _ = write!(
                        path,
                        "{}{:.1},{:.1} ",
                        if pen_down { "L" } else { "M" },
                        x(month),
                        y(*v)
                    );
                    pen_down = true;
                }
                None => pen_down = false,
            }
        }
        if !path.is_empty() {
            let _ = write!(
                svg,
                r#"<path class="series-{index}" d="{}"/>"#,
                path.trim_end()
            );
        }
        for (month, point) in s.points.iter().enumerate() {
            if let Some((v, text)) = point {
                let _ = write!(
                    svg,
                    r#"<circle class="dot-{index}" cx="{:.1}" cy="{:.1}" r="3.5"><title>{}</title></circle>"#,
                    x(month),
                    y(*v),
                    esc(text)
                );
            }
        }
    }
    // Legend.
    for (index, s) in series.iter().enumerate() {
        let lx = left + 150.0 * index as f64 + 120.0;
        let _ = write!(
            svg,
            r#"<line class="series-{index}" x1="{lx:.1}" y1="{:.1}" x2="{:.1}" y2="{:.1}"/><text class="tick" x="{:.1}" y="{:.1}">{}</text>"#,
            height - 10.0,
            lx + 24.0,
            height - 10.0,
            lx + 30.0,
            height - 6.0,
            esc(&s.name)
        );
    }
    svg.push_str("</svg>");
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_are_round_numbers() {
        assert_eq!(nice_step(1650.0, 4), 500.0);
        assert_eq!(nice_step(336.28, 4), 100.0);
        assert_eq!(nice_step(7.0, 4), 2.0);
        assert_eq!(nice_step(0.0, 4), 1.0);
    }

    #[test]
    fn labels_in_svg_are_escaped() {
        let svg = horizontal_bars(
            &[Bar {
                label: "<汽车>".into(),
                value: 1.0,
                value_text: "1 & 2".into(),
                href: None,
            }],
            "亿元",
            "t",
        );
        assert!(svg.contains("&lt;汽车&gt;"));
        assert!(svg.contains("1 &amp; 2"));
        assert!(!svg.contains("<汽车>"));
    }
}
