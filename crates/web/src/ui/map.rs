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

/// One bar of a park's marks: the palette colour (`seg-N`), the count and its hover text.
pub struct Mark {
    pub colour: usize,
    pub count: i64,
    pub hover: String,
}

/// Draws the parks; an empty list draws nothing.
pub fn parks_map(parks: &[MapPark], title: &str) -> String {
    parks_map_with_marks(parks, &std::collections::HashMap::new(), title)
}

/// Draws the parks, and under each park with marks a stacked bar of them (a count per colour), the bars of all
/// parks on one scale: the longest is 80 px.
pub fn parks_map_with_marks(
    parks: &[MapPark],
    marks: &std::collections::HashMap<i64, Vec<Mark>>,
    title: &str,
) -> String {
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
    let labels = place_labels(
        &parks
            .iter()
            .map(|p| (project(p.lon, p.lat), p.name.as_str()))
            .collect::<Vec<_>>(),
        (width, height),
    );
    for (park, label) in parks.iter().zip(&labels) {
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
            r#"<a href="/parks/{}"><title>{}</title>{shape}<circle class="park-dot" cx="{cx:.1}" cy="{cy:.1}" r="3"/><text class="park-label" x="{:.1}" y="{:.1}" text-anchor="{}">{}</text></a>"#,
            park.id,
            esc(&park.hover),
            label.x,
            label.y,
            label.anchor,
            esc(&park.name)
        );
    }
    let largest = marks
        .values()
        .map(|m| m.iter().map(|k| k.count).sum::<i64>())
        .max()
        .unwrap_or(0);
    for park in parks {
        let Some(bars) = marks.get(&park.id).filter(|_| largest > 0) else {
            continue;
        };
        let (cx, cy) = project(park.lon, park.lat);
        let total: i64 = bars.iter().map(|b| b.count).sum();
        let length = (80.0 * total as f64 / largest as f64).max(4.0);
        let mut x = cx - length / 2.0;
        let _ = write!(svg, r#"<g class="marks" data-park="{}">"#, park.id);
        for bar in bars.iter().filter(|b| b.count > 0) {
            let w = length * bar.count as f64 / total as f64;
            let _ = write!(
                svg,
                r#"<rect class="seg-{}" x="{x:.1}" y="{:.1}" width="{w:.1}" height="8"><title>{}</title></rect>"#,
                bar.colour % PALETTE,
                cy + 6.0,
                esc(&bar.hover)
            );
            x += w;
        }
        svg.push_str("</g>");
    }
    svg.push_str("</svg>");
    svg
}

/// Where a park's name is written: the text's anchor point and alignment.
#[derive(Debug, Clone, Copy)]
struct Label {
    x: f64,
    y: f64,
    anchor: &'static str,
}

const LABEL_H: f64 = 14.0;

/// How many colours the segment palette (`seg-0` … in app.css) has; further segments repeat them.
pub const PALETTE: usize = 12;

/// A box on the map: left, top, right, bottom.
type Area = (f64, f64, f64, f64);

/// The box a label covers (left, top, right, bottom), from its anchor and an estimate of its width (a Chinese
/// character about 12 px, another 7 px at the map's label size).
fn label_box(label: Label, text: &str) -> Area {
    let w: f64 = text
        .chars()
        .map(|c| if c.is_ascii() { 7.0 } else { 12.0 })
        .sum();
    let left = match label.anchor {
        "end" => label.x - w,
        "middle" => label.x - w / 2.0,
        _ => label.x,
    };
    (left, label.y - LABEL_H + 3.0, left + w, label.y + 3.0)
}

fn overlap(a: Area, b: Area) -> f64 {
    let w = (a.2.min(b.2) - a.0.max(b.0)).max(0.0);
    let h = (a.3.min(b.3) - a.1.max(b.1)).max(0.0);
    w * h
}

/// Places each park's name beside its dot where it overlaps no name placed before and stays inside the map: to
/// the right above the dot first, then right below, left above, left below, above and below; when every place
/// overlaps, the one that overlaps least. Parks are placed from the top down, so the result does not depend on
/// the order of the list beyond ties.
fn place_labels(parks: &[((f64, f64), &str)], (width, height): (f64, f64)) -> Vec<Label> {
    let mut order: Vec<usize> = (0..parks.len()).collect();
    order.sort_by(|a, b| {
        let (pa, pb) = (parks[*a].0, parks[*b].0);
        pa.1.partial_cmp(&pb.1)
            .unwrap_or(std::cmp::Ordering::Equal)
            .then(a.cmp(b))
    });
    let mut placed: Vec<Option<(Label, Area)>> = vec![None; parks.len()];
    for i in order {
        let ((cx, cy), text) = parks[i];
        let candidates = [
            Label {
                x: cx + 6.0,
                y: cy - 6.0,
                anchor: "start",
            },
            Label {
                x: cx + 6.0,
                y: cy + 16.0,
                anchor: "start",
            },
            Label {
                x: cx - 6.0,
                y: cy - 6.0,
                anchor: "end",
            },
            Label {
                x: cx - 6.0,
                y: cy + 16.0,
                anchor: "end",
            },
            Label {
                x: cx,
                y: cy - 10.0,
                anchor: "middle",
            },
            Label {
                x: cx,
                y: cy + 22.0,
                anchor: "middle",
            },
        ];
        let cost = |label: Label| -> f64 {
            let b = label_box(label, text);
            let outside = (-b.0).max(0.0)
                + (b.2 - width).max(0.0)
                + (-b.1).max(0.0)
                + (b.3 - height).max(0.0);
            let covered: f64 = placed
                .iter()
                .flatten()
                .map(|(_, other)| overlap(b, *other))
                .sum();
            covered + outside * LABEL_H
        };
        let best = candidates
            .iter()
            .copied()
            .map(|c| (cost(c), c))
            .fold(None::<(f64, Label)>, |best, (k, c)| match best {
                Some((bk, _)) if bk <= k => best,
                _ => Some((k, c)),
            })
            .map(|(_, c)| c)
            .unwrap_or(candidates[0]);
        placed[i] = Some((best, label_box(best, text)));
    }
    placed
        .into_iter()
        .map(|p| {
            p.map(|(l, _)| l).unwrap_or(Label {
                x: 0.0,
                y: 0.0,
                anchor: "start",
            })
        })
        .collect()
}

/// A land parcel on a park's plan: its outer ring(s), the CSS class of its colour and its hover text.
pub struct MapParcel {
    pub rings: Vec<Vec<(f64, f64)>>,
    /// `A`, `B`, `C`, `D`, `T`, `none` (held, not evaluated) or `vacant` (no holder).
    pub class: &'static str,
    pub hover: String,
}

/// The outer rings of a GeoJSON Polygon or MultiPolygon (holes are not drawn); anything else has none.
pub fn geojson_rings(value: &serde_json::Value) -> Vec<Vec<(f64, f64)>> {
    let ring = |r: &serde_json::Value| -> Option<Vec<(f64, f64)>> {
        r.as_array()?
            .iter()
            .map(|p| Some((p.get(0)?.as_f64()?, p.get(1)?.as_f64()?)))
            .collect()
    };
    let outer =
        |polygon: &serde_json::Value| polygon.as_array().and_then(|p| p.first()).and_then(ring);
    match value.get("type").and_then(|t| t.as_str()) {
        Some("Polygon") => value
            .get("coordinates")
            .and_then(outer)
            .into_iter()
            .collect(),
        Some("MultiPolygon") => value
            .get("coordinates")
            .and_then(|c| c.as_array())
            .map(|ps| ps.iter().filter_map(outer).collect())
            .unwrap_or_default(),
        _ => Vec::new(),
    }
}

/// A park's plan: its outline (when it has one) and its parcels, each coloured by its class, with a legend of
/// the classes present and their counts. Empty when no parcel has an outline.
pub fn parcels_map(
    park_outline: Option<&[(f64, f64)]>,
    parcels: &[MapParcel],
    legend: &[(&'static str, String)],
    title: &str,
) -> String {
    let points: Vec<(f64, f64)> = parcels
        .iter()
        .flat_map(|p| p.rings.iter().flatten().copied())
        .chain(park_outline.into_iter().flatten().copied())
        .filter(|(lon, lat)| lon.is_finite() && lat.is_finite())
        .collect();
    if parcels.iter().all(|p| p.rings.is_empty()) || points.is_empty() {
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
    let pad_lon = ((max_lon - min_lon) * 0.05).max(0.0005);
    let pad_lat = ((max_lat - min_lat) * 0.05).max(0.0005);
    let (min_lon, max_lon) = (min_lon - pad_lon, max_lon + pad_lon);
    let (min_lat, max_lat) = (min_lat - pad_lat, max_lat + pad_lat);
    let x_scale = ((min_lat + max_lat) / 2.0).to_radians().cos();
    let width = 560.0;
    let span_x = (max_lon - min_lon) * x_scale;
    let span_y = max_lat - min_lat;
    let plan_height = (width * span_y / span_x).clamp(200.0, 560.0);
    let sx = width / span_x;
    let sy = plan_height / span_y;
    let project = |lon: f64, lat: f64| ((lon - min_lon) * x_scale * sx, (max_lat - lat) * sy);
    let points_of = |ring: &[(f64, f64)]| -> String {
        // An SVG polygon closes itself: a ring's repeated first point is left out.
        let open = match ring {
            [first, .., last] if first == last => &ring[..ring.len() - 1],
            _ => ring,
        };
        open.iter()
            .map(|(lon, lat)| {
                let (x, y) = project(*lon, *lat);
                format!("{x:.1},{y:.1}")
            })
            .collect::<Vec<_>>()
            .join(" ")
    };
    let legend_height = 24.0;
    let height = plan_height + legend_height;
    let mut svg = String::new();
    let _ = write!(
        svg,
        r#"<svg class="map parcels" viewBox="0 0 {width:.0} {height:.0}" role="img" aria-label="{}"><title>{}</title><rect class="frame" x="0" y="0" width="{width:.0}" height="{plan_height:.0}"/>"#,
        esc(title),
        esc(title)
    );
    if let Some(ring) = park_outline.filter(|r| r.len() >= 3) {
        let _ = write!(
            svg,
            r#"<polygon class="park-area" points="{}"/>"#,
            points_of(ring)
        );
    }
    // A 100 m scale bar.
    let bar = 100.0 / 111_320.0 * x_scale * sx;
    let _ = write!(
        svg,
        r#"<line class="axis" x1="10" y1="{:.1}" x2="{:.1}" y2="{:.1}"/><text class="park-label" x="10" y="{:.1}">100 m</text>"#,
        plan_height - 8.0,
        10.0 + bar,
        plan_height - 8.0,
        plan_height - 12.0
    );
    for parcel in parcels {
        for ring in parcel.rings.iter().filter(|r| r.len() >= 3) {
            let _ = write!(
                svg,
                r#"<polygon class="parcel class-{}" points="{}"><title{}>{}</title></polygon>"#,
                parcel.class,
                points_of(ring),
                // The holder's name is data, often Chinese: marked so on an English page.
                if super::i18n::has_chinese(&parcel.hover) {
                    r#" lang="zh-CN""#
                } else {
                    ""
                },
                esc(&parcel.hover)
            );
        }
    }
    let mut x = 10.0;
    let y = plan_height + 16.0;
    for (class, label) in legend {
        let _ = write!(
            svg,
            r#"<rect class="parcel class-{class}" x="{x:.1}" y="{:.1}" width="12" height="12"/><text class="park-label legend" x="{:.1}" y="{y:.1}">{}</text>"#,
            y - 10.0,
            x + 16.0,
            esc(label)
        );
        x += 16.0
            + label
                .chars()
                .map(|c| if c.is_ascii() { 6.5 } else { 11.0 })
                .sum::<f64>()
            + 14.0;
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

    #[test]
    fn park_labels_do_not_overlap_when_parks_stand_close() {
        // Four parks a few pixels apart, as the zone's neighbouring parks are at this scale.
        let parks = [
            ((200.0, 200.0), "两江数字经济产业园"),
            ((204.0, 203.0), "鱼复工业园"),
            ((198.0, 206.0), "龙兴工业园"),
            ((207.0, 198.0), "水土高新园"),
        ];
        let labels = place_labels(&parks, (560.0, 400.0));
        let boxes: Vec<_> = labels
            .iter()
            .zip(&parks)
            .map(|(l, (_, text))| label_box(*l, text))
            .collect();
        for i in 0..boxes.len() {
            for j in i + 1..boxes.len() {
                assert_eq!(overlap(boxes[i], boxes[j]), 0.0, "{i} and {j}: {labels:?}");
            }
        }
    }

    #[test]
    fn a_parcel_is_drawn_in_its_class_colour_with_its_hover_and_the_legend_counts() {
        let outline = serde_json::json!({"type": "Polygon", "coordinates": [[
            [106.780, 29.720], [106.782, 29.720], [106.782, 29.722], [106.780, 29.722], [106.780, 29.720]
        ]]});
        let rings = geojson_rings(&outline);
        assert_eq!(rings.len(), 1);
        assert_eq!(rings[0].len(), 5);
        let parcels = [
            MapParcel {
                rings: rings.clone(),
                class: "A",
                hover: "YF-01 · 12.00 亩 · 长程电池 · A".into(),
            },
            MapParcel {
                rings: Vec::new(),
                class: "vacant",
                hover: "YF-02".into(),
            },
        ];
        let svg = parcels_map(None, &parcels, &[("A", "A 1".into())], "鱼复 · 地块分布");
        assert!(svg.contains(r#"<polygon class="parcel class-A" points=""#));
        assert!(svg.contains(r#"<title lang="zh-CN">YF-01 · 12.00 亩 · 长程电池 · A</title>"#));
        assert!(svg.contains(">A 1</text>"));
        assert_eq!(
            svg.matches("<polygon").count(),
            1,
            "a parcel without an outline is not drawn"
        );
        assert_eq!(
            parcels_map(None, &parcels[1..], &[], "none"),
            "",
            "nothing to draw"
        );
        assert!(
            geojson_rings(&serde_json::json!({"type": "Point", "coordinates": [1, 2]})).is_empty()
        );
    }
}
