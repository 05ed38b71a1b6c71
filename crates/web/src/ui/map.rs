//! The map of the zone's parks, drawn as SVG from their coordinates and outlines (no tile server): an
//! equirectangular projection around the parks' middle latitude, each park its outline (or a dot when it has
//! none), linked to its page, with its figures in a hover title.

use std::fmt::Write;

use super::charts::esc;

pub struct MapPark {
    pub id: i64,
    pub name: String,
    pub lon: f64,
    pub lat: f64,
    pub outline: Option<Vec<(f64, f64)>>,
    /// The hover text: name and figures.
    pub hover: String,
    /// Highlighted (the park of the page).
    pub selected: bool,
}

/// Draws the parks; an empty list draws nothing.
pub fn parks_map(parks: &[MapPark], title: &str) -> String {
    let points: Vec<(f64, f64)> = parks
        .iter()
        .flat_map(|p| std::iter::once((p.lon, p.lat)).chain(p.outline.iter().flatten().copied()))
        .filter(|(lon, lat)| lon.is_finite() && lat.is_finite())
        .collect();
    if points.is_empty() {
        return String::new();
    }
    let (mut min_lon, mut max_lon, mut min_lat, mut max_lat) =
        (f64::MAX, f64::MIN, f64::MAX, f64::MIN);
    for (lon, lat) in &points {
        min_lon = min_lon.min(*lon);
        max_lon = max_lon.max(*lon);
        min_lat = min_lat.min(*lat);
        max_lat = max_lat.max(*lat);
    }
    // A margin around the parks, and a minimum extent so one park alone is not a point.
    let pad_lon = ((max_lon - min_lon) * 0.08).max(0.01);
    let pad_lat = ((max_lat - min_lat) * 0.08).max(0.01);
    let (min_lon, max_lon) = (min_lon - pad_lon, max_lon + pad_lon);
    let (min_lat, max_lat) = (min_lat - pad_lat, max_lat + pad_lat);
    let mid_lat = (min_lat + max_lat) / 2.0;
    let x_scale = mid_lat.to_radians().cos();
    let width = 560.0;
    let span_x = (max_lon - min_lon) * x_scale;
    let span_y = max_lat - min_lat;
    let height = (width * span_y / span_x).clamp(240.0, 640.0);
    let sx = width / span_x;
    let sy = height / span_y;
    let project = |lon: f64, lat: f64| ((lon - min_lon) * x_scale * sx, (max_lat - lat) * sy);
    let mut svg = String::new();
    let _ = write!(
        svg,
        r#"<svg class="map" viewBox="0 0 {width:.0} {height:.0}" role="img" aria-label="{}"><title>{}</title><rect class="frame" x="0" y="0" width="{width:.0}" height="{height:.0}"/>"#,
        esc(title),
        esc(title)
    );
    // North arrow and a 5 km scale bar.
    let km = 5.0;
    let bar = km / 111.32 * x_scale * sx;
    let _ = write!(
        svg,
        r#"<text class="park-label" x="{:.1}" y="18" text-anchor="middle">N ↑</text><line class="axis" x1="10" y1="{:.1}" x2="{:.1}" y2="{:.1}"/><text class="park-label" x="10" y="{:.1}">{km:.0} km</text>"#,
        width - 18.0,
        height - 12.0,
        10.0 + bar,
        height - 12.0,
        height - 16.0
    );
    for park in parks {
        let (cx, cy) = project(park.lon, park.lat);
        let selected = if park.selected { " selected" } else { "" };
        let shape = match &park.outline {
            Some(ring) if ring.len() >= 3 => {
                let pts: Vec<String> = ring
                    .iter()
                    .map(|(lon, lat)| {
                        let (x, y) = project(*lon, *lat);
                        format!("{x:.1},{y:.1}")
                    })
                    .collect();
                format!(
                    r#"<polygon class="park{selected}" points="{}"/>"#,
                    pts.join(" ")
                )
            }
            _ => format!(r#"<circle class="park{selected}" cx="{cx:.1}" cy="{cy:.1}" r="7"/>"#),
        };
        let _ = write!(
            svg,
            r#"<a href="/parks/{}"><title>{}</title>{shape}<circle class="park-dot" cx="{cx:.1}" cy="{cy:.1}" r="3"/><text class="park-label" x="{:.1}" y="{:.1}">{}</text></a>"#,
            park.id,
            esc(&park.hover),
            cx + 6.0,
            cy - 6.0,
            esc(&park.name)
        );
    }
    svg.push_str("</svg>");
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_park_is_a_link_to_its_page_with_its_figures_on_hover() {
        let parks = [
            MapPark {
                id: 3,
                name: "鱼复".into(),
                lon: 106.78,
                lat: 29.72,
                outline: Some(vec![
                    (106.77, 29.71),
                    (106.79, 29.71),
                    (106.79, 29.73),
                    (106.77, 29.71),
                ]),
                hover: "鱼复工业园: 120 家".into(),
                selected: false,
            },
            MapPark {
                id: 4,
                name: "水土".into(),
                lon: 106.50,
                lat: 29.78,
                outline: None,
                hover: "水土".into(),
                selected: true,
            },
        ];
        let svg = parks_map(&parks, "parks");
        assert!(svg.contains(r#"<a href="/parks/3">"#));
        assert!(svg.contains("<polygon"));
        assert!(svg.contains("鱼复工业园: 120 家"));
        assert_eq!(parks_map(&[], "none"), "");
    }
}
