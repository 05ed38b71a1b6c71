//! The chain map (产业链图谱): a chain's segment tree drawn as SVG in three columns, upstream → midstream →
//! downstream, each segment in the column of its own stage and indented by its depth in the tree. Each segment
//! shows how many local firms sit in it or below it and their output, and is marked when it is a gap: no local
//! firm at all (缺链) or fewer than [`WEAK_BELOW`] (弱链). Supply links are drawn as faint curves. Each segment is a
//! link that lists its firms.

use std::collections::{HashMap, HashSet};
use std::fmt::Write;

use chainpark_core::registry::{Id, Segment, Stage, SupplyLink};

use super::charts::esc;
use super::i18n::Lang;

/// A segment with fewer local firms than this (but at least one) is weak.
pub const WEAK_BELOW: usize = 3;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Strength {
    /// No local firm in the segment or below it.
    Gap,
    /// Fewer than [`WEAK_BELOW`] firms.
    Weak,
    Present,
}

pub fn strength(firms: usize) -> Strength {
    match firms {
        0 => Strength::Gap,
        n if n < WEAK_BELOW => Strength::Weak,
        _ => Strength::Present,
    }
}

/// The segments of one chain in tree order (parents before children, siblings by position), with their depth.
pub fn tree_order(segments: &[Segment]) -> Vec<(&Segment, usize)> {
    let ids: HashSet<Id> = segments.iter().map(|s| s.id).collect();
    let mut children: HashMap<Option<Id>, Vec<&Segment>> = HashMap::new();
    for s in segments {
        // A parent outside the list (archived, another chain) makes the segment a root here.
        let parent = s.parent_id.filter(|p| ids.contains(p));
        children.entry(parent).or_default().push(s);
    }
    for list in children.values_mut() {
        list.sort_by_key(|s| (s.position, s.id));
    }
    let mut out = Vec::with_capacity(segments.len());
    let mut stack: Vec<(&Segment, usize)> = children
        .get(&None)
        .map(|roots| roots.iter().rev().map(|s| (*s, 0)).collect())
        .unwrap_or_default();
    let mut seen = HashSet::new();
    while let Some((segment, depth)) = stack.pop() {
        if !seen.insert(segment.id) {
            continue;
        }
        out.push((segment, depth));
        if let Some(kids) = children.get(&Some(segment.id)) {
            stack.extend(kids.iter().rev().map(|k| (*k, depth + 1)));
        }
    }
    out
}

/// The segment and all segments below it.
pub fn subtree(segments: &[Segment], root: Id) -> HashSet<Id> {
    let mut set = HashSet::from([root]);
    let mut grew = true;
    while grew {
        grew = false;
        for s in segments {
            if let Some(p) = s.parent_id
                && set.contains(&p)
                && set.insert(s.id)
            {
                grew = true;
            }
        }
    }
    set
}

/// Distinct firms in each segment or below it, from each firm's segments.
pub fn firms_per_subtree<'a>(
    segments: &[Segment],
    firm_segments: impl Iterator<Item = &'a [Id]>,
) -> HashMap<Id, usize> {
    let parent: HashMap<Id, Option<Id>> = segments.iter().map(|s| (s.id, s.parent_id)).collect();
    let mut counts: HashMap<Id, usize> = HashMap::new();
    let mut reached = HashSet::new();
    for own in firm_segments {
        reached.clear();
        for &segment in own {
            let mut current = Some(segment);
            let mut steps = 0;
            while let Some(id) = current {
                if !parent.contains_key(&id) || !reached.insert(id) || steps > 64 {
                    break;
                }
                current = parent.get(&id).copied().flatten();
                steps += 1;
            }
        }
        for id in &reached {
            *counts.entry(*id).or_default() += 1;
        }
    }
    counts
}

/// What the map shows of one segment besides its name.
pub struct SegmentFacts {
    pub firms: usize,
    /// Output of the segment's own firms for the period, as written ("12.34 亿元").
    pub output: Option<String>,
    /// The segment's diagnosis, when the map is coloured by gap class and criticality (the health page).
    pub diagnosis: Option<MapDiagnosis>,
}

/// A segment's gap class and criticality, as the diagnosed map colours it.
pub struct MapDiagnosis {
    /// The gap class's code (`broken`, `single_point`, `weak`, `concentrated`, `healthy`).
    pub class: &'static str,
    /// The class's name in the page's language.
    pub label: String,
    /// Katz centrality as a share of the chain's largest (0 to 1).
    pub criticality: f64,
}

/// The criticality band of a segment: its Katz centrality against the chain's largest, in thirds.
pub fn criticality_band(criticality: f64) -> &'static str {
    if criticality >= 2.0 / 3.0 {
        "crit-high"
    } else if criticality >= 1.0 / 3.0 {
        "crit-mid"
    } else {
        "crit-low"
    }
}

/// The gap classes in the legend's order, with their names' keys.
const GAP_LEGEND: [(&str, &str); 5] = [
    ("broken", "health.class.broken"),
    ("single_point", "health.class.single_point"),
    ("weak", "health.class.weak"),
    ("concentrated", "health.class.concentrated"),
    ("healthy", "health.class.healthy"),
];

const COLUMN_W: f64 = 300.0;
const COLUMN_GAP: f64 = 26.0;
const BOX_H: f64 = 38.0;
const ROW_GAP: f64 = 8.0;
const HEADER_H: f64 = 34.0;
const INDENT: f64 = 16.0;
const LEGEND_H: f64 = 30.0;

fn column(stage: Stage) -> usize {
    match stage {
        Stage::Upstream => 0,
        Stage::Midstream => 1,
        Stage::Downstream => 2,
    }
}

/// Draws the map. `href` gives the link of a segment; `selected` is outlined.
pub fn draw(
    lang: Lang,
    segments: &[Segment],
    links: &[SupplyLink],
    facts: &HashMap<Id, SegmentFacts>,
    selected: Option<Id>,
    href: impl Fn(Id) -> String,
) -> String {
    let order = tree_order(segments);
    let names: HashMap<Id, &Segment> = segments.iter().map(|s| (s.id, s)).collect();
    let has_children: HashSet<Id> = segments.iter().filter_map(|s| s.parent_id).collect();
    let mut rows = [0usize; 3];
    let mut place: HashMap<Id, (f64, f64, f64)> = HashMap::new();
    for (segment, _) in &order {
        let col = column(segment.stage);
        let indent = INDENT * column_depth(segment, &names).min(4) as f64;
        let x = col as f64 * (COLUMN_W + COLUMN_GAP) + indent;
        let y = HEADER_H + rows[col] as f64 * (BOX_H + ROW_GAP);
        rows[col] += 1;
        place.insert(segment.id, (x, y, COLUMN_W - indent));
    }
    let width = 3.0 * COLUMN_W + 2.0 * COLUMN_GAP;
    let columns_h =
        HEADER_H + rows.iter().max().copied().unwrap_or(0) as f64 * (BOX_H + ROW_GAP) + 8.0;
    // The legend of the supply curves under the columns, when there are any, and of the gap classes and
    // criticality when the map is diagnosed.
    let diagnosed = facts.values().any(|f| f.diagnosis.is_some());
    let supply_legend_h = if links.is_empty() { 0.0 } else { LEGEND_H };
    let height = columns_h + supply_legend_h + if diagnosed { 2.0 * LEGEND_H } else { 0.0 };
    let mut svg = String::new();
    let title = lang.t("chain.map");
    let _ = write!(
        svg,
        r#"<svg class="chain-map" viewBox="-3 -3 {:.0} {:.0}" role="img" aria-label="{title}"><title>{title}</title>"#,
        width + 6.0,
        height + 6.0
    );
    for (col, key) in ["chain.upstream", "chain.midstream", "chain.downstream"]
        .iter()
        .enumerate()
    {
        let x = col as f64 * (COLUMN_W + COLUMN_GAP);
        let _ = write!(
            svg,
            r#"<rect class="stage-band" x="{x:.0}" y="0" width="{COLUMN_W}" height="{columns_h:.0}" rx="6"/><text class="stage-title" x="{:.0}" y="22" text-anchor="middle">{}{}</text>"#,
            x + COLUMN_W / 2.0,
            lang.t(key),
            if col < 2 { "  →" } else { "" }
        );
    }
    // Tree lines within a column: from a parent's left edge down to its child.
    for (segment, _) in &order {
        let (Some(parent), Some(&(cx, cy, _))) = (segment.parent_id, place.get(&segment.id)) else {
            continue;
        };
        let Some(&(px, py, _)) = place.get(&parent) else {
            continue;
        };
        if names.get(&parent).is_some_and(|p| p.stage == segment.stage) {
            let lx = px + 6.0;
            let _ = write!(
                svg,
                r#"<path class="tree-line" d="M{lx:.1},{:.1} V{:.1} H{cx:.1}"/>"#,
                py + BOX_H,
                cy + BOX_H / 2.0
            );
        }
    }
    // Supply links, under the boxes.
    for link in links {
        let (Some(&(fx, fy, fw)), Some(&(tx, ty, _))) = (
            place.get(&link.from_segment_id),
            place.get(&link.to_segment_id),
        ) else {
            continue;
        };
        let (x1, y1) = (fx + fw, fy + BOX_H / 2.0);
        let (x2, y2) = (tx, ty + BOX_H / 2.0);
        let d = if x2 > x1 {
            let mid = (x1 + x2) / 2.0;
            format!("M{x1:.1},{y1:.1} C{mid:.1},{y1:.1} {mid:.1},{y2:.1} {x2:.1},{y2:.1}")
        } else {
            let bend = fx.min(tx) - 10.0;
            format!("M{fx:.1},{y1:.1} C{bend:.1},{y1:.1} {bend:.1},{y2:.1} {x2:.1},{y2:.1}")
        };
        let _ = write!(svg, r#"<path class="supply" d="{d}"/>"#);
    }
    for (segment, _) in &order {
        let Some(&(x, y, w)) = place.get(&segment.id) else {
            continue;
        };
        let fact = facts.get(&segment.id);
        let firms = fact.map(|f| f.firms).unwrap_or(0);
        let level = strength(firms);
        let mut class = String::from("seg");
        if has_children.contains(&segment.id) {
            class.push_str(" parent");
        }
        let diagnosis = fact.and_then(|f| f.diagnosis.as_ref());
        match (diagnosis, level) {
            (Some(d), _) => {
                let _ = write!(
                    class,
                    " dx dx-{} {}",
                    d.class,
                    criticality_band(d.criticality)
                );
            }
            (None, Strength::Gap) => class.push_str(" gap"),
            (None, Strength::Weak) => class.push_str(" weak"),
            (None, Strength::Present) => {}
        }
        if selected == Some(segment.id) {
            class.push_str(" selected");
        }
        let name = lang.pick(&segment.name, &segment.name_en);
        let max_chars = ((w - 16.0) / if lang == Lang::Zh { 13.0 } else { 7.0 }) as usize;
        let shown = truncate(name, max_chars.max(4));
        let mut line2 = format!("{firms} {}", lang.t("unit.firms"));
        if let Some(output) = fact.and_then(|f| f.output.as_deref()) {
            line2.push_str(" · ");
            line2.push_str(output);
        }
        let mark = match (diagnosis, level) {
            (Some(d), _) => format!(" · {}", d.label),
            (None, Strength::Gap) => format!(" · {}", lang.t("chain.gap")),
            (None, Strength::Weak) => format!(" · {}", lang.t("chain.weak")),
            (None, Strength::Present) => String::new(),
        };
        let count_class = match (diagnosis, level) {
            (Some(d), _) if d.class == "healthy" => "seg-count",
            (Some(_), _) => "seg-count gap",
            (None, Strength::Present) => "seg-count",
            (None, _) => "seg-count gap",
        };
        let hover = match diagnosis {
            Some(d) => format!(
                "{}: {line2}{mark} · {} {:.2}",
                path_of(segment, &names, lang),
                lang.t("chain.criticality"),
                d.criticality
            ),
            None => format!("{}: {line2}{mark}", path_of(segment, &names, lang)),
        };
        let _ = write!(
            svg,
            r#"<a href="{}" class="segment-link" data-segment="{}" data-firms="{firms}"><title>{}</title><rect class="{class}" x="{x:.1}" y="{y:.1}" width="{w:.1}" height="{BOX_H}" rx="5"/><text class="seg-name" x="{:.1}" y="{:.1}">{}</text><text class="{count_class}" x="{:.1}" y="{:.1}">{}{}</text></a>"#,
            esc(&href(segment.id)),
            segment.id,
            esc(&hover),
            x + 8.0,
            y + 16.0,
            esc(&shown),
            x + 8.0,
            y + 31.0,
            esc(&line2),
            esc(&mark)
        );
    }
    if !links.is_empty() {
        let y = columns_h + LEGEND_H / 2.0;
        let _ = write!(
            svg,
            r#"<g class="map-legend" id="supply-legend"><path class="supply" d="M4,{y:.1} C24,{:.1} 34,{:.1} 54,{y:.1}"/><text class="legend-text" x="62" y="{:.1}">{}</text></g>"#,
            y - 8.0,
            y + 8.0,
            y + 4.0,
            esc(lang.t("chain.supply_legend"))
        );
    }
    if diagnosed {
        // Gap classes: a swatch each; criticality: three strokes, thin to thick.
        let y = columns_h + supply_legend_h + 6.0;
        let _ = write!(svg, r#"<g class="map-legend" id="gap-legend">"#);
        let mut x = 4.0;
        for (class, key) in GAP_LEGEND {
            let label = lang.t(key);
            let _ = write!(
                svg,
                r#"<rect class="seg dx dx-{class} crit-low" x="{x:.1}" y="{y:.1}" width="22" height="14" rx="3"/><text class="legend-text" x="{:.1}" y="{:.1}">{}</text>"#,
                x + 28.0,
                y + 11.0,
                esc(label)
            );
            x += 28.0 + legend_text_width(label) + 18.0;
        }
        let y = y + LEGEND_H;
        let title = lang.t("chain.criticality");
        let _ = write!(
            svg,
            r#"<text class="legend-text" x="4" y="{:.1}">{}</text>"#,
            y + 11.0,
            esc(title)
        );
        let mut x = 4.0 + legend_text_width(title) + 12.0;
        for (band, key) in [
            ("crit-low", "chain.criticality.low"),
            ("crit-mid", "chain.criticality.mid"),
            ("crit-high", "chain.criticality.high"),
        ] {
            let label = lang.t(key);
            let _ = write!(
                svg,
                r#"<rect class="seg dx dx-healthy {band}" x="{x:.1}" y="{y:.1}" width="22" height="14" rx="3"/><text class="legend-text" x="{:.1}" y="{:.1}">{}</text>"#,
                x + 28.0,
                y + 11.0,
                esc(label)
            );
            x += 28.0 + legend_text_width(label) + 18.0;
        }
        svg.push_str("</g>");
    }
    svg.push_str("</svg>");
    svg
}

/// The width of a legend's text, estimated from its characters (12 px: a Chinese character 12, a Latin one 6.5).
fn legend_text_width(text: &str) -> f64 {
    text.chars()
        .map(|c| if c.is_ascii() { 6.5 } else { 12.0 })
        .sum()
}

/// How deep a segment sits below the nearest ancestor drawn in another column: a child of another stage starts
/// its column unindented, so that it never looks like the child of whatever box stands above it there.
fn column_depth(segment: &Segment, names: &HashMap<Id, &Segment>) -> usize {
    let mut depth = 0;
    let mut current = segment.parent_id.and_then(|p| names.get(&p));
    while let Some(parent) = current {
        if parent.stage != segment.stage || depth >= 16 {
            break;
        }
        depth += 1;
        current = parent.parent_id.and_then(|p| names.get(&p));
    }
    depth
}

/// "新能源汽车 › 动力电池 › 电芯", for the hover title.
fn path_of(segment: &Segment, names: &HashMap<Id, &Segment>, lang: Lang) -> String {
    let mut parts = vec![lang.pick(&segment.name, &segment.name_en).to_string()];
    let mut current = segment.parent_id;
    let mut steps = 0;
    while let (Some(id), true) = (current, steps < 16) {
        match names.get(&id) {
            Some(s) => {
                parts.push(lang.pick(&s.name, &s.name_en).to_string());
                current = s.parent_id;
            }
            None => break,
        }
        steps += 1;
    }
    parts.reverse();
    parts.join(" › ")
}

fn truncate(text: &str, max_chars: usize) -> String {
    if text.chars().count() <= max_chars {
        text.to_string()
    } else {
        let mut t: String = text.chars().take(max_chars.saturating_sub(1)).collect();
        t.push('…');
        t
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn segment(id: Id, parent: Option<Id>, name: &str, stage: Stage, position: i32) -> Segment {
        Segment {
            id,
            chain_id: 1,
            parent_id: parent,
            code: format!("S{id}"),
            name: name.into(),
            name_en: String::new(),
            stage,
            position,
            industry_codes: vec![],
            archived: false,
            updated_at: chrono::DateTime::from_timestamp(1_781_000_000, 0).expect("an instant"),
        }
    }

    fn chain() -> Vec<Segment> {
        vec![
            segment(1, None, "新能源汽车", Stage::Midstream, 1),
            segment(2, Some(1), "动力电池", Stage::Upstream, 2),
            segment(3, Some(2), "电芯", Stage::Upstream, 1),
            segment(4, Some(1), "纯电动汽车", Stage::Midstream, 1),
            segment(5, None, "车规级芯片", Stage::Upstream, 2),
        ]
    }

    #[test]
    fn segments_are_in_tree_order_with_children_after_their_parent() {
        let segments = chain();
        let order: Vec<(Id, usize)> = tree_order(&segments)
            .iter()
            .map(|(s, d)| (s.id, *d))
            .collect();
        assert_eq!(order, vec![(1, 0), (4, 1), (2, 1), (3, 2), (5, 0)]);
    }

    /// The (x, y) of a segment's box in the drawing.
    fn box_of(svg: &str, id: Id) -> (f64, f64) {
        let rest = svg
            .split(&format!("data-segment=\"{id}\""))
            .nth(1)
            .expect("drawn");
        let number = |attr: &str| -> f64 {
            rest.split(&format!(" {attr}=\""))
                .nth(1)
                .and_then(|v| v.split('"').next())
                .and_then(|v| v.parse().ok())
                .expect("a number")
        };
        (number("x"), number("y"))
    }

    #[test]
    fn a_child_in_another_stage_starts_its_column_unindented_and_its_own_children_indent_under_it()
    {
        let segments = chain();
        let svg = draw(Lang::Zh, &segments, &[], &HashMap::new(), None, |id| {
            format!("/chains/1?segment={id}")
        });
        let upstream_x = 0.0;
        // 动力电池 (upstream) is a child of 新能源汽车 (midstream): not indented in the upstream column.
        assert_eq!(box_of(&svg, 2).0, upstream_x);
        // 电芯 is 动力电池's child in the same column: one step in, right below it.
        let (x3, y3) = box_of(&svg, 3);
        assert_eq!(x3, upstream_x + INDENT);
        assert_eq!(y3, box_of(&svg, 2).1 + BOX_H + ROW_GAP);
        // 车规级芯片 is a root: unindented.
        assert_eq!(box_of(&svg, 5).0, upstream_x);
    }

    #[test]
    fn supply_curves_have_a_legend_when_there_are_any() {
        let segments = chain();
        let none = draw(Lang::En, &segments, &[], &HashMap::new(), None, |id| {
            id.to_string()
        });
        assert!(!none.contains("supply-legend"));
        let link = SupplyLink {
            id: 1,
            from_segment_id: 3,
            to_segment_id: 4,
            note: String::new(),
            archived: false,
            updated_at: chrono::DateTime::from_timestamp(1_781_000_000, 0).expect("an instant"),
        };
        let drawn = draw(Lang::En, &segments, &[link], &HashMap::new(), None, |id| {
            id.to_string()
        });
        assert!(drawn.contains("id=\"supply-legend\""));
        assert!(drawn.contains(Lang::En.t("chain.supply_legend")));
    }

    #[test]
    fn a_firm_counts_once_in_each_segment_above_it() {
        let segments = chain();
        let firms: Vec<Vec<Id>> = vec![vec![3], vec![3, 2], vec![4]];
        let counts = firms_per_subtree(&segments, firms.iter().map(|f| f.as_slice()));
        assert_eq!(counts.get(&1), Some(&3));
        assert_eq!(counts.get(&2), Some(&2));
        assert_eq!(counts.get(&3), Some(&2));
        assert_eq!(counts.get(&5), None);
    }

    #[test]
    fn a_segment_without_local_firms_is_drawn_as_a_gap_and_one_with_two_as_weak() {
        assert_eq!(strength(0), Strength::Gap);
        assert_eq!(strength(2), Strength::Weak);
        assert_eq!(strength(3), Strength::Present);
        let segments = chain();
        let mut facts = HashMap::new();
        facts.insert(
            1,
            SegmentFacts {
                firms: 3,
                output: None,
                diagnosis: None,
            },
        );
        facts.insert(
            4,
            SegmentFacts {
                firms: 2,
                output: Some("1.00 亿元".into()),
                diagnosis: None,
            },
        );
        let svg = draw(Lang::Zh, &segments, &[], &facts, Some(4), |id| {
            format!("/chains/1?segment={id}")
        });
        assert!(svg.contains(r#"data-segment="5" data-firms="0""#));
        assert!(svg.contains(r#"class="seg gap""#));
        assert!(svg.contains(r#"class="seg weak selected""#));
        assert!(svg.contains("缺链"));
        assert!(svg.contains("新能源汽车 › 纯电动汽车"));
        assert!(svg.contains("/chains/1?segment=4"));
    }

    #[test]
    fn a_diagnosed_map_colours_each_segment_by_gap_class_and_criticality_with_a_legend() {
        let segments = chain();
        let mut facts = HashMap::new();
        for (id, class, criticality) in [(4, "broken", 1.0), (5, "healthy", 0.1)] {
            facts.insert(
                id,
                SegmentFacts {
                    firms: 0,
                    output: None,
                    diagnosis: Some(MapDiagnosis {
                        class,
                        label: class.to_uppercase(),
                        criticality,
                    }),
                },
            );
        }
        let svg = draw(Lang::En, &segments, &[], &facts, None, |id| {
            format!("/chains/1?segment={id}")
        });
        assert!(svg.contains(r#"class="seg dx dx-broken crit-high""#));
        assert!(svg.contains(r#"class="seg dx dx-healthy crit-low""#));
        assert!(svg.contains(" · BROKEN"));
        assert!(svg.contains(r#"id="gap-legend""#));
        for key in [
            "health.class.broken",
            "health.class.healthy",
            "chain.criticality",
            "chain.criticality.high",
        ] {
            assert!(svg.contains(Lang::En.t(key)), "{key}");
        }
        // The plain map has no such legend.
        let plain = draw(Lang::En, &segments, &[], &HashMap::new(), None, |id| {
            format!("/chains/1?segment={id}")
        });
        assert!(!plain.contains("gap-legend"));
    }
}
