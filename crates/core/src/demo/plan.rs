//! The demo's parcel outlines: a park's parcels laid out as a block plan around its location, inside its outline.
//! The parcels, in the order given, fill rows of a square whose area is theirs plus a share for roads (each
//! parcel sits in its cell, shrunk about the cell's middle to its own area); the rows split the parcels into runs
//! of about equal area, each row as high as its area needs. Where the park has an outline, the square is shrunk
//! (in steps of 5 %) until its corners lie inside it, so a large park's plan may be drawn smaller than its parcels'
//! areas; the recorded areas are untouched. Pure arithmetic: the same plan on every machine.

use serde_json::{Value, json};

/// Degrees of latitude per metre, and of longitude per metre at Liangjiang's latitude (cos 29.7° ≈ 0.8686).
const LAT_PER_M: f64 = 1.0 / 111_320.0;
const LON_PER_M: f64 = 1.0 / (111_320.0 * 0.8686);

/// The share of a cell a parcel covers; the rest is road and green.
const PARCEL_SHARE: f64 = 0.85;

fn round6(x: f64) -> f64 {
    (x * 1e6).round() / 1e6
}

/// Whether a point lies inside a closed ring (ray casting).
pub fn inside(ring: &[(f64, f64)], (x, y): (f64, f64)) -> bool {
    let mut inside = false;
    for pair in ring.windows(2) {
        let ((x1, y1), (x2, y2)) = (pair[0], pair[1]);
        if (y1 > y) != (y2 > y) && x < x1 + (y - y1) * (x2 - x1) / (y2 - y1) {
            inside = !inside;
        }
    }
    inside
}

/// Each parcel's outline as a GeoJSON Polygon, in the order of `areas_centi_mu`, laid out around `centre`
/// (lon, lat) and inside `outline` (a closed ring) when there is one.
pub fn parcel_outlines(
    centre: (f64, f64),
    outline: Option<&[(f64, f64)]>,
    areas_centi_mu: &[i64],
) -> Vec<Value> {
    let m2: Vec<f64> = areas_centi_mu
        .iter()
        .map(|a| *a as f64 / 100.0 * 2000.0 / 3.0)
        .collect();
    let total: f64 = m2.iter().sum();
    if m2.is_empty() || total <= 0.0 {
        return Vec::new();
    }
    let side = (total / PARCEL_SHARE).sqrt();
    // Shrink the square until its corners are inside the park's outline.
    let mut scale = 1.0_f64;
    if let Some(ring) = outline.filter(|r| r.len() >= 4) {
        let to_degrees = |x: f64, y: f64| (centre.0 + x * LON_PER_M, centre.1 + y * LAT_PER_M);
        while scale > 0.05 {
            let h = side * scale / 2.0;
            let corners = [(-h, -h), (h, -h), (h, h), (-h, h)];
            if corners
                .iter()
                .all(|(x, y)| inside(ring, to_degrees(*x, *y)))
            {
                break;
            }
            scale *= 0.95;
        }
    }
    let side = side * scale;
    let rows = (m2.len() as f64).sqrt().ceil() as usize;
    // Consecutive runs of about total ÷ rows each.
    let mut runs: Vec<std::ops::Range<usize>> = Vec::new();
    let mut start = 0;
    let mut sum = 0.0;
    for (k, a) in m2.iter().enumerate() {
        sum += a;
        let target = total * (runs.len() + 1) as f64 / rows as f64;
        if sum >= target - 1e-9 && runs.len() + 1 < rows {
            runs.push(start..k + 1);
            start = k + 1;
        }
    }
    if start < m2.len() {
        runs.push(start..m2.len());
    }
    let shrink = PARCEL_SHARE.sqrt();
    let mut out = Vec::with_capacity(m2.len());
    let mut top = side / 2.0;
    for run in runs {
        let run_area: f64 = m2[run.clone()].iter().sum();
        let height = side * run_area / total;
        let mut left = -side / 2.0;
        for a in &m2[run] {
            let width = side * a / run_area;
            let (cx, cy) = (left + width / 2.0, top - height / 2.0);
            let (hw, hh) = (width * shrink / 2.0, height * shrink / 2.0);
            let corner = |dx: f64, dy: f64| {
                json!([
                    round6(centre.0 + (cx + dx) * LON_PER_M),
                    round6(centre.1 + (cy + dy) * LAT_PER_M)
                ])
            };
            let ring = vec![
                corner(-hw, -hh),
                corner(hw, -hh),
                corner(hw, hh),
                corner(-hw, hh),
                corner(-hw, -hh),
            ];
            out.push(json!({"type": "Polygon", "coordinates": [ring]}));
            left += width;
        }
        top -= height;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ring_of(value: &Value) -> Vec<(f64, f64)> {
        value["coordinates"][0]
            .as_array()
            .expect("ring")
            .iter()
            .map(|p| (p[0].as_f64().expect("lon"), p[1].as_f64().expect("lat")))
            .collect()
    }

    /// Area of a ring in m² (shoelace formula on metres).
    fn area_m2(ring: &[(f64, f64)]) -> f64 {
        ring.windows(2)
            .map(|w| {
                (w[0].0 / LON_PER_M) * (w[1].1 / LAT_PER_M)
                    - (w[1].0 / LON_PER_M) * (w[0].1 / LAT_PER_M)
            })
            .sum::<f64>()
            .abs()
            / 2.0
    }

    #[test]
    fn without_an_outline_each_parcel_is_drawn_with_its_own_area() {
        let areas = [2_000, 500, 12_000, 300, 4_500];
        let plans = parcel_outlines((106.6, 29.7), None, &areas);
        assert_eq!(plans.len(), areas.len());
        for (plan, area) in plans.iter().zip(areas) {
            let expected = area as f64 / 100.0 * 2000.0 / 3.0;
            let drawn = area_m2(&ring_of(plan));
            assert!(
                (drawn - expected).abs() / expected < 0.01,
                "{drawn} vs {expected}"
            );
        }
    }

    #[test]
    fn every_demo_parcel_lies_inside_its_parks_outline_and_no_two_overlap() {
        for park in crate::demo::parks::parks() {
            let Some(outline) = &park.outline else {
                continue;
            };
            // Parcels covering 60 % of the park, in a spread of sizes.
            let n = 40;
            let total = park.land_area_mu * 100 * 60 / 100;
            let weights: Vec<i64> = (0..n).map(|k| 1 + (k * 7) % 11).collect();
            let sum: i64 = weights.iter().sum();
            let areas: Vec<i64> = weights.iter().map(|w| total * w / sum).collect();
            let plans = parcel_outlines((park.lon, park.lat), Some(outline), &areas);
            let rings: Vec<Vec<(f64, f64)>> = plans.iter().map(ring_of).collect();
            for ring in &rings {
                for corner in ring {
                    assert!(
                        inside(outline, *corner),
                        "{}: {corner:?} outside",
                        park.code
                    );
                }
            }
            let boxes: Vec<(f64, f64, f64, f64)> = rings
                .iter()
                .map(|r| (r[0].0, r[0].1, r[2].0, r[2].1))
                .collect();
            for i in 0..boxes.len() {
                for j in i + 1..boxes.len() {
                    let (a, b) = (boxes[i], boxes[j]);
                    let apart = a.2 <= b.0 || b.2 <= a.0 || a.3 <= b.1 || b.3 <= a.1;
                    assert!(apart, "{}: parcels {i} and {j} overlap", park.code);
                }
            }
        }
    }
}
