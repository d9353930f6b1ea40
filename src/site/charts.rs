//! Charts drawn as inline SVG: no script, no library, no network.

use crate::slug::escape_html;
use std::fmt::Write;

/// A grouped bar chart of requests raised and resolved per month (`YYYY-MM`).
pub fn per_month(months: &[(String, usize, usize)]) -> String {
    if months.is_empty() {
        return "<p>No requests yet.</p>".to_owned();
    }
    let max = months
        .iter()
        .map(|(_, a, b)| (*a).max(*b))
        .max()
        .unwrap_or(1)
        .max(1);
    // A fixed drawing width, so a few months do not fill the screen with two bars.
    let (left, top, height, width) = (28.0, 10.0, 140.0, 640.0);
    let slot = ((width - left - 10.0) / months.len() as f64).min(60.0);
    let bar = (slot * 0.38).min(18.0);
    let mut svg = String::new();
    let summary: Vec<String> = months
        .iter()
        .map(|(m, raised, resolved)| format!("{m}: {raised} raised, {resolved} resolved"))
        .collect();
    let _ = write!(
        svg,
        "<svg class=\"chart\" viewBox=\"0 0 {width:.0} {:.0}\" role=\"img\" \
         aria-labelledby=\"chart-months-title\"><title id=\"chart-months-title\">\
         Requests raised and resolved per month. {}</title>",
        top + height + 44.0,
        escape_html(&summary.join("; "))
    );
    let base = top + height;
    let _ = write!(
        svg,
        "<line class=\"axis\" x1=\"{left}\" y1=\"{base:.0}\" x2=\"{width:.0}\" y2=\"{base:.0}\"/>\
         <text x=\"{:.0}\" y=\"{:.0}\" text-anchor=\"end\">{max}</text>\
         <text x=\"{:.0}\" y=\"{base:.0}\" text-anchor=\"end\">0</text>",
        left - 4.0,
        top + 8.0,
        left - 4.0,
    );
    // Every month is labelled while the labels fit; otherwise every third.
    let every = if slot >= 24.0 { 1 } else { 3 };
    for (i, (month, raised, resolved)) in months.iter().enumerate() {
        let x = left + slot * i as f64 + (slot - 2.0 * bar) / 2.0;
        for (j, (value, class)) in [(*raised, "raised"), (*resolved, "resolved")]
            .into_iter()
            .enumerate()
        {
            let h = height * value as f64 / max as f64;
            let _ = write!(
                svg,
                "<rect class=\"{class}\" x=\"{:.1}\" y=\"{:.1}\" width=\"{bar:.1}\" \
                 height=\"{h:.1}\"><title>{}: {value} {class}</title></rect>",
                x + j as f64 * (bar + 1.0),
                base - h,
                escape_html(month)
            );
        }
        if i % every == 0 || month.ends_with("-01") {
            let label = if i == 0 || month.ends_with("-01") {
                month.as_str()
            } else {
                &month[5..]
            };
            let _ = write!(
                svg,
                "<text x=\"{:.1}\" y=\"{:.0}\" text-anchor=\"middle\">{}</text>",
                x + bar,
                base + 14.0,
                escape_html(label)
            );
        }
    }
    let legend = base + 36.0;
    let _ = write!(
        svg,
        "<rect class=\"raised\" x=\"{left}\" y=\"{:.0}\" width=\"10\" height=\"10\"/>\
         <text class=\"label\" x=\"{:.0}\" y=\"{legend:.0}\">raised</text>\
         <rect class=\"resolved\" x=\"{:.0}\" y=\"{:.0}\" width=\"10\" height=\"10\"/>\
         <text class=\"label\" x=\"{:.0}\" y=\"{legend:.0}\">resolved</text></svg>",
        legend - 9.0,
        left + 14.0,
        left + 70.0,
        legend - 9.0,
        left + 84.0
    );
    svg
}

/// The buckets of the days-to-resolution histogram.
const BUCKETS: [(i64, i64, &str); 6] = [
    (0, 7, "0–7"),
    (8, 14, "8–14"),
    (15, 30, "15–30"),
    (31, 60, "31–60"),
    (61, 90, "61–90"),
    (91, i64::MAX, "over 90"),
];

/// A histogram of the days resolved requests took.
pub fn resolution(days: &[i64]) -> String {
    if days.is_empty() {
        return "<p>No request has been resolved yet.</p>".to_owned();
    }
    let counts: Vec<usize> = BUCKETS
        .iter()
        .map(|(lo, hi, _)| days.iter().filter(|d| **d >= *lo && **d <= *hi).count())
        .collect();
    horizontal(
        "chart-resolution-title",
        "Days from first raised to resolved",
        &BUCKETS
            .iter()
            .zip(&counts)
            .map(|((_, _, label), count)| {
                (format!("{label} days"), *count as i64, format!("{count}"))
            })
            .collect::<Vec<_>>(),
    )
}

/// A horizontal bar per open request: how many days it has been open.
pub fn open_by_age(rows: &[(String, i64)]) -> String {
    horizontal(
        "chart-age-title",
        "Days each open request has been waiting",
        &rows
            .iter()
            .map(|(label, days)| (label.clone(), *days, format!("{days} d")))
            .collect::<Vec<_>>(),
    )
}

fn horizontal(id: &str, title: &str, rows: &[(String, i64, String)]) -> String {
    let max = rows.iter().map(|(_, v, _)| *v).max().unwrap_or(1).max(1);
    let (label_width, bar_width, row) = (220.0, 300.0, 20.0);
    let mut svg = String::new();
    let summary: Vec<String> = rows.iter().map(|(l, _, v)| format!("{l}: {v}")).collect();
    let _ = write!(
        svg,
        "<svg class=\"chart\" viewBox=\"0 0 {:.0} {:.0}\" role=\"img\" aria-labelledby=\"{id}\"><title id=\"{id}\">{}. {}</title>",
        label_width + bar_width + 60.0,
        row * rows.len() as f64 + 4.0,
        escape_html(title),
        escape_html(&summary.join("; "))
    );
    for (i, (label, value, text)) in rows.iter().enumerate() {
        let y = row * i as f64;
        let w = bar_width * (*value).max(0) as f64 / max as f64;
        let short: String = if label.chars().count() > 34 {
            label.chars().take(33).chain(std::iter::once('…')).collect()
        } else {
            label.clone()
        };
        let _ = write!(
            svg,
            "<text class=\"label\" x=\"{:.0}\" y=\"{:.0}\" text-anchor=\"end\">{}</text>\
             <rect class=\"bar\" x=\"{label_width:.0}\" y=\"{:.0}\" width=\"{w:.1}\" height=\"14\"/>\
             <text x=\"{:.1}\" y=\"{:.0}\">{}</text>",
            label_width - 6.0,
            y + 13.0,
            escape_html(&short),
            y + 2.0,
            label_width + w + 4.0,
            y + 13.0,
            escape_html(text)
        );
    }
    svg.push_str("</svg>");
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn charts_are_svg_with_an_accessible_title_and_escaped_labels() {
        let svg = per_month(&[("2026-05".into(), 3, 1), ("2026-06".into(), 0, 2)]);
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        assert!(svg.contains("2026-05: 3 raised, 1 resolved"));
        let svg = open_by_age(&[("<script>".into(), 10)]);
        assert!(!svg.contains("<script>") && svg.contains("&lt;script&gt;"));
        let svg = resolution(&[0, 7, 8, 100]);
        assert!(
            svg.contains("0–7 days: 2") && svg.contains("over 90 days: 1"),
            "{svg}"
        );
    }
}
