//! The Markdown report, for pull-request comments and wikis: the content of the HTML report in
//! GitHub-flavoured Markdown, each model's details folded in a `<details>` block.
//!
//! GitHub refuses a comment over 65,536 characters. When the full report is longer, it is
//! shortened: the summary stays whole, models with the worst findings come first, and table
//! rows and model details are added while they fit; a note at the top says what was left out.
//! The budget is counted in bytes, which is never fewer than characters however GitHub counts.
//!
//! Every string from a scanned file goes through [`text`] or [`code`]: HTML is written as
//! entities (GitHub would render an `<img>` and fetch it), Markdown punctuation that makes links,
//! emphasis or table cells is backslash-escaped (`:` and `www.` too, so no bare URL becomes a
//! link), and line breaks become spaces.

use std::io;

use super::{
    RenderOptions, Report,
    review::{self, FindingView, ModelView, Review},
    terminal::plural,
};

/// GitHub's limit on an issue or pull-request comment.
pub const GITHUB_COMMENT_LIMIT: usize = 65_536;

/// Room kept for the note that says what a shortened report left out.
const NOTE_ROOM: usize = 600;

pub(super) fn write(report: &Report, out: &mut dyn io::Write, options: &RenderOptions) -> io::Result<()> {
    let review = review::review(report, &options.generated, &options.scanned);
    out.write_all(render(&review, GITHUB_COMMENT_LIMIT).as_bytes())
}

/// The report, shortened to at most `limit` bytes when longer.
fn render(r: &Review<'_>, limit: usize) -> String {
    let head = head(r);
    let table_head = table_head();
    let rows: Vec<String> = r.models.iter().map(row).collect();
    let details: Vec<String> = r.models.iter().map(details).collect();
    let tail = tail(r);
    let remedies = remedies(r);
    let full_len = head.len()
        + table_head.len()
        + remedies.len()
        + tail.len()
        + rows.iter().chain(&details).map(String::len).sum::<usize>()
        + "\n## Details\n\n".len();
    if full_len <= limit {
        let mut s = head;
        s.push_str(&table_head);
        rows.iter().for_each(|x| s.push_str(x));
        s.push_str("\n## Details\n\n");
        details.iter().for_each(|x| s.push_str(x));
        s.push_str(&remedies);
        s.push_str(&tail);
        return s;
    }

    // Worst first, then report order.
    let mut order: Vec<usize> = (0..r.models.len()).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(r.models[i].finding_rank));
    let mut budget =
        limit.saturating_sub(head.len() + NOTE_ROOM + table_head.len() + remedies.len() + "\n## Details\n\n".len());
    let mut kept_rows = Vec::new();
    for &i in &order {
        if rows[i].len() > budget {
            break;
        }
        budget -= rows[i].len();
        kept_rows.push(i);
    }
    let mut kept_details = Vec::new();
    for &i in &kept_rows {
        if details[i].len() > budget {
            break;
        }
        budget -= details[i].len();
        kept_details.push(i);
    }
    let tail_fits = tail.len() <= budget;
    let note = format!(
        "> **Shortened to fit GitHub's comment limit of {GITHUB_COMMENT_LIMIT} characters** (the full report has {full_len}): \
         the table lists {} of {} models and details are given for {}, those with the most severe findings first{}. \
         Run `modelgate scan --format html -o report.html` (or `--format markdown -o report.md`) for the whole report.\n\n",
        kept_rows.len(),
        r.models.len(),
        kept_details.len(),
        if tail_fits { "" } else { "; the dataset and waiver lists are left out" },
    );
    let mut s = head;
    s.push_str(&note);
    s.push_str(&table_head);
    kept_rows.iter().for_each(|&i| s.push_str(&rows[i]));
    s.push_str("\n## Details\n\n");
    kept_details.iter().for_each(|&i| s.push_str(&details[i]));
    s.push_str(&remedies);
    if tail_fits {
        s.push_str(&tail);
    }
    s
}

fn head(r: &Review<'_>) -> String {
    let mut s = String::from("# Model licence and openness review\n\n");
    let scanned: Vec<String> = r.scanned.iter().map(|x| code(x)).collect();
    s.push_str(&format!(
        "**Scanned:** {} · **When:** {} · **By:** {} {} · **Policy packs:** {}",
        if scanned.is_empty() { "-".to_string() } else { scanned.join(", ") },
        r.generated,
        r.tool.name,
        r.tool.version,
        if r.policy.is_empty() { "none".to_string() } else { text(&r.policy.join(", ")) },
    ));
    if let Some(c) = r.config {
        s.push_str(&format!(" · **Configuration:** {}", code(c)));
    }
    s.push_str("\n\n## Summary\n\n");
    let sum = r.summary;
    let severities: Vec<String> = r.severities.iter().map(|c| plural(c.count, &c.word)).collect();
    s.push_str(&format!(
        "**{}**, {} · {}",
        plural(sum.models, "model"),
        plural(r.datasets.len(), "dataset"),
        severities.join(", ")
    ));
    if sum.waived > 0 {
        s.push_str(&format!(", {} waived", sum.waived));
    }
    if sum.baselined > 0 {
        s.push_str(&format!(", {} in the baseline", sum.baselined));
    }
    s.push_str("\n\n| Licence category | Models | | What it means |\n|---|---:|---|---|\n");
    let max = r.categories.iter().map(|c| c.count).max().unwrap_or(1).max(1);
    for c in &r.categories {
        s.push_str(&format!("| {} | {} | `{}` | {} |\n", c.word, c.count, bar(c.count, max), c.meaning));
    }
    s.push('\n');
    let axes: Vec<String> = r
        .openness
        .iter()
        .map(|a| {
            let values: Vec<String> = a.values.iter().map(|v| format!("{} {}", v.word, v.count)).collect();
            format!("{}: {}", a.axis, values.join(", "))
        })
        .collect();
    let mof: Vec<String> = r.mof.iter().map(|v| format!("{} {}", v.word, v.count)).collect();
    s.push_str(&format!("**Openness:** {} · MOF class: {}\n\n", axes.join(" · "), or_dash(&mof.join(", "))));
    let sources: Vec<String> = r.sources.iter().map(|v| format!("{} {}", v.word, v.count)).collect();
    s.push_str(&format!("**Sources:** {}\n\n", or_dash(&sources.join(", "))));
    let l = &sum.lock_in;
    if l.hosted_models > 0 {
        let vendors: Vec<String> = r.vendors.iter().map(|v| format!("{} {}", text(&v.word), v.count)).collect();
        s.push_str(&format!(
            "**Lock-in:** {} of {} ({}%) are closed models behind a vendor API, called from {}; hosted models per vendor: {}.\n\n",
            l.closed_api_models,
            plural(sum.models, "model"),
            l.closed_api_percent,
            plural(l.call_sites, "place"),
            vendors.join(", ")
        ));
    } else {
        s.push_str("**Lock-in:** no model is reached through a vendor's API.\n\n");
    }
    if !r.other_findings.is_empty() {
        s.push_str("### Findings about no single model\n\n");
        for f in r.other_findings.iter().take(50) {
            s.push_str(&finding(f));
        }
        if r.other_findings.len() > 50 {
            s.push_str(&format!("- … and {} more\n", r.other_findings.len() - 50));
        }
        s.push('\n');
    }
    s
}

fn table_head() -> String {
    "## Models\n\n| Model | Source | Licence | Category | Restrictions | Weights | Data | Code | MOF | Findings |\n\
     |---|---|---|---|---|---|---|---|---|---:|\n"
        .to_string()
}

fn row(v: &ModelView<'_>) -> String {
    let m = v.model;
    let findings = match v.worst {
        Some(w) => format!("{} {w}", v.findings.len()),
        None => "0".to_string(),
    };
    format!(
        "| [{}](#{}) | {} | {} | {} | {} | {} | {} | {} | {} | {} |\n",
        text(&m.id),
        v.anchor,
        m.source,
        text(&m.licence.id),
        m.licence.category,
        or_dash(&v.restriction_kinds),
        m.openness.weights,
        m.openness.data,
        m.openness.code,
        m.openness.mof_class.map_or("-".to_string(), |c| c.to_string()),
        findings
    )
}

fn details(v: &ModelView<'_>) -> String {
    let m = v.model;
    let worst = v.worst.map_or(String::new(), |w| format!(" · {} ({w})", plural(v.findings.len(), "finding")));
    let mut s = format!(
        "<a id=\"{}\"></a>\n<details><summary><b>{}</b> · {} · {}{worst}</summary>\n\n",
        v.anchor,
        html(&m.id),
        html(&m.licence.id),
        m.licence.category
    );
    s.push_str(&format!(
        "- **Location:** {} ({})",
        code(&m.location),
        m.sources.iter().map(|x| x.as_str()).collect::<Vec<_>>().join(", ")
    ));
    if let Some(vendor) = &m.vendor {
        s.push_str(&format!(", served by the {} API", text(vendor)));
    }
    s.push('\n');
    if let Some(rev) = &m.revision {
        s.push_str(&format!("- **Revision:** {}\n", code(rev)));
    }
    if let Some(p) = m.parameters {
        s.push_str(&format!("- **Parameters:** {p}\n"));
    }
    if let Some(card) = &m.card {
        s.push_str(&format!("- **Card:** {}\n", code(&card.file)));
    }
    s.push_str(&format!(
        "\n**Licence:** {} ({}, SPDX {}): **{}**, {}.\n\n",
        text(&m.licence.name),
        code(&m.licence.id),
        code(&m.licence.spdx),
        m.licence.category,
        v.meaning
    ));
    for l in &v.licences {
        if v.licences.len() > 1 {
            s.push_str(&format!("- **{}** ({}, {}): ", text(&l.name), code(&l.id), l.category));
        } else {
            s.push_str("- ");
        }
        match &l.summary {
            Some(x) => s.push_str(&text(x)),
            // "No licence found" needs no second sentence saying the catalogue lacks it.
            None if l.category == crate::vocab::Category::None => continue,
            None => {
                s.push_str("The catalogue does not describe this licence; read its text before relying on the model.")
            }
        }
        if let Some(url) = &l.url {
            s.push_str(&format!(" Text: <{url}>"));
        }
        s.push('\n');
    }
    s.push_str("\n**Restrictions:**");
    if v.restrictions.is_empty() {
        s.push_str(" none found.\n\n");
    } else {
        s.push_str("\n\n| Restriction | In plain words | Imposed by | Written at |\n|---|---|---|---|\n");
        for x in &v.restrictions {
            let by = match x.inherited_from {
                Some(b) => format!("{} (inherited from {})", text(x.licence.unwrap_or("-")), text(b)),
                None => text(x.licence.unwrap_or("-")),
            };
            let at: Vec<String> = x.at.iter().map(|a| code(a)).collect();
            s.push_str(&format!(
                "| {} | {} | {} | {} |\n",
                text(&x.label),
                text(x.detail),
                by,
                or_dash(&at.join(", "))
            ));
        }
        s.push('\n');
    }
    s.push_str(&format!(
        "**Openness:** weights {}, data {}, code {}; MOF class **{}**.\n",
        m.openness.weights,
        m.openness.data,
        m.openness.code,
        m.openness.mof_class.map_or("unclassified".to_string(), |c| c.to_string())
    ));
    // The MOF reason is left out: `mof_details` lists the same components by class.
    for reason in &v.axis_reasons {
        s.push_str(&format!("- {}\n", text(reason)));
    }
    s.push('\n');
    mof_details(&mut s, m);
    if !v.lineage.is_empty() {
        s.push_str(
            "**Lineage:**\n\n| Base model | Licence | Category | Known from | Declared at |\n|---|---|---|---|---|\n",
        );
        for b in &v.lineage {
            s.push_str(&format!(
                "| {} | {} | {} | {} | {} |\n",
                text(b.id),
                text(b.licence.unwrap_or("unknown")),
                b.category.map_or("-".to_string(), |c| c.to_string()),
                b.resolved_by.unwrap_or("-"),
                code(&b.at)
            ));
        }
        s.push('\n');
    }
    if !v.excerpts.is_empty() {
        s.push_str("**From the card:**\n\n");
        for (title, excerpt) in &v.excerpts {
            s.push_str(&format!("- *{}:* {}\n", text(title), text(excerpt)));
        }
        s.push('\n');
    }
    s.push_str("**Findings:**");
    if v.findings.is_empty() {
        s.push_str(" none.\n\n");
    } else {
        s.push_str("\n\n");
        for f in &v.findings {
            s.push_str(&finding(f));
        }
        s.push('\n');
    }
    for x in &v.suppressed {
        s.push_str(&format!(
            "- ~~{} `{}`~~ {} ({})\n",
            x.finding.severity,
            x.finding.rule,
            text(x.finding.message),
            text(&x.why)
        ));
    }
    s.push_str("**Evidence:**\n\n");
    for e in &v.evidence {
        let value = e.value.map_or(String::new(), |x| format!(": “{}”", text(x)));
        s.push_str(&format!("- {} {}{value}\n", code(&e.at), e.kind));
    }
    for w in &m.weights {
        let hash = w.sha256.as_ref().map_or(String::new(), |h| format!(", SHA-256 `{h}`"));
        s.push_str(&format!("- {} weights, {}, {} bytes{hash}\n", code(&w.file), w.format, w.bytes));
    }
    for r in &m.references {
        s.push_str(&format!("- {} {}: {}\n", code(&review::at(&r.file, Some(r.line))), text(&r.via), code(&r.value)));
    }
    for i in &m.inventory {
        let mut cols = Vec::new();
        cols.extend(i.team.iter().map(|t| format!("team {}", text(t))));
        cols.extend(i.region.iter().map(|t| format!("region {}", text(t))));
        cols.extend(i.columns.iter().map(|(k, val)| format!("{} {}", text(k), text(val))));
        s.push_str(&format!(
            "- {} inventory: {}\n",
            code(&review::at(&i.file, Some(i.line))),
            or_dash(&cols.join(", "))
        ));
    }
    s.push_str("\n</details>\n\n");
    s
}

fn tail(r: &Review<'_>) -> String {
    let mut s = String::new();
    if !r.datasets.is_empty() {
        s.push_str("## Datasets\n\n| Dataset | Location | Licence | Category |\n|---|---|---|---|\n");
        for d in &r.datasets {
            let x = d.dataset;
            s.push_str(&format!(
                "| {} | {} | {} | {} |\n",
                text(&x.id),
                code(&x.location),
                text(&x.licence.id),
                x.licence.category
            ));
        }
        s.push('\n');
    }
    if !r.suppressed.is_empty() {
        s.push_str("## Waived and baselined findings\n\n");
        for x in &r.suppressed {
            let model = x.finding.model.map_or(String::new(), |m| format!(" ({})", text(m)));
            s.push_str(&format!(
                "- {} `{}`{model} {} ({})\n",
                x.finding.severity,
                x.finding.rule,
                text(x.finding.message),
                text(&x.why)
            ));
        }
        s.push('\n');
    }
    s.push_str(&format!(
        "<sub>Made by {} {} on {}. It states what the scanned files say and what the licence catalogue knows about those licences; it is not legal advice.</sub>\n",
        r.tool.name, r.tool.version, r.generated
    ));
    s
}

/// One finding; its rule's remediation is in the closing "What to do" list, once per rule.
fn finding(f: &FindingView<'_>) -> String {
    let at = f.at.as_deref().map_or(String::new(), |a| format!(" at {}", code(a)));
    format!("- **{}** `{}` {}{at}\n", f.severity, f.rule, text(f.message))
}

/// "What to do": each rule that fired, with its remediation, once.
fn remedies(r: &Review<'_>) -> String {
    let mut seen = std::collections::BTreeMap::new();
    for f in r.models.iter().flat_map(|m| &m.findings).chain(&r.other_findings) {
        seen.entry(f.rule).or_insert(f.help);
    }
    if seen.is_empty() {
        return String::new();
    }
    let mut s = String::from("## What to do\n\n");
    for (rule, help) in seen {
        s.push_str(&format!("- `{rule}`: {}\n", text(help)));
    }
    s.push('\n');
    s
}

/// Text from a scanned file, safe in a paragraph, list item or table cell.
pub(super) fn text(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            // `:` and `www.` escaped too: GitHub turns bare URLs into links otherwise.
            '\\' | '`' | '*' | '_' | '[' | ']' | '|' | '#' | '~' | '!' | '$' | ':' => {
                out.push('\\');
                out.push(c);
            }
            '.' if out.len() >= 3 && out.get(out.len() - 3..).is_some_and(|w| w.eq_ignore_ascii_case("www")) => {
                out.push_str("\\.");
            }
            '\r' | '\n' | '\t' => out.push(' '),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// Text for inside HTML elements (`<summary>`): entities, on one line.
fn html(s: &str) -> String {
    super::junit::xml(s).replace(['\t', '\n', '\r'], " ")
}

/// A code span holding any text: fenced with more backticks than it contains, `|` escaped (a
/// table would split the cell there otherwise), line breaks as spaces.
pub(super) fn code(s: &str) -> String {
    let clean: String = s.chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
    let clean = clean.replace('|', "\\|");
    let mut longest = 0;
    let mut run = 0;
    for c in clean.chars() {
        run = if c == '`' { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    let fence = "`".repeat(longest + 1);
    let pad = if longest > 0 || clean.starts_with(' ') || clean.ends_with(' ') { " " } else { "" };
    if clean.is_empty() { "` `".to_string() } else { format!("{fence}{pad}{clean}{pad}{fence}") }
}

fn or_dash(s: &str) -> String {
    if s.is_empty() { "-".to_string() } else { s.to_string() }
}

/// A bar of block characters, `count / max` of 16 wide.
fn bar(count: usize, max: usize) -> String {
    let n = (count * 16).div_ceil(max.max(1)).max(usize::from(count > 0));
    "█".repeat(n)
}

/// The MOF components (required ones and those present), OSAID and the per-dimension grades.
fn mof_details(s: &mut String, m: &super::ModelReport) {
    let o = &m.openness;
    let p = |c| o.mof.progress.get(&c).copied().unwrap_or(0);
    s.push_str(&format!(
        "**MOF progress:** Class III {} %, Class II {} %, Class I {} % · **OSI Open Source AI Definition:** {}\n\n",
        p(crate::vocab::MofClass::III),
        p(crate::vocab::MofClass::II),
        p(crate::vocab::MofClass::I),
        if o.osaid.pass { "pass" } else { "fail" }
    ));
    // Found components get a row with their evidence; required ones that are missing get one
    // line, so a model with nothing found costs a sentence rather than a table (comment limit).
    let found: Vec<_> = o.mof.components.iter().filter(|c| c.present).collect();
    if !found.is_empty() {
        s.push_str("| Component | Required for | Licence | Status | Found at |\n|---|---|---|---|---|\n");
        for c in &found {
            let at: Vec<String> = c.evidence.iter().take(3).map(|e| code(&review::at(&e.file, e.line))).collect();
            s.push_str(&format!(
                "| {} | {} | {} | {} | {} |\n",
                c.name,
                c.required_for.map_or("optional".to_string(), |x| format!("Class {x}")),
                text(c.licence.as_deref().unwrap_or("-")),
                c.status,
                or_dash(&at.join(", "))
            ));
        }
        s.push('\n');
    }
    if found.is_empty() {
        s.push_str("- MOF: none of the components was found.\n");
    }
    for class in [crate::vocab::MofClass::III, crate::vocab::MofClass::II, crate::vocab::MofClass::I] {
        if found.is_empty() {
            break;
        }
        let missing: Vec<&str> = o
            .mof
            .components
            .iter()
            .filter(|c| !c.present && c.required_for == Some(class))
            .map(|c| c.name.as_str())
            .collect();
        if !missing.is_empty() {
            s.push_str(&format!("- Missing for Class {class}: {}\n", missing.join(", ")));
        }
    }
    if !o.osaid.reasons.is_empty() {
        let reasons: Vec<String> = o.osaid.reasons.iter().map(|r| text(r)).collect();
        s.push_str(&format!("- OSAID: {}\n", reasons.join("; ")));
    }
    if !o.dimensions.is_empty() {
        let grades: Vec<String> = o.dimensions.iter().map(|(d, g)| format!("{d} {g}")).collect();
        s.push_str(&format!("- Open Source AI Index: {}\n", grades.join(", ")));
    }
    s.push('\n');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostile_text_is_inert() {
        assert_eq!(text("<img src=x onerror=alert(1)>"), "&lt;img src=x onerror=alert(1)&gt;");
        assert_eq!(text("[click](javascript:alert(1))"), "\\[click\\](javascript\\:alert(1))");
        assert_eq!(text("see https://x.org or WWW.x.org"), "see https\\://x.org or WWW\\.x.org");
        assert_eq!(text("a|b\nc"), "a\\|b c");
        assert_eq!(code("a`b"), "`` a`b ``");
        assert_eq!(code("x|y"), "`x\\|y`");
        assert_eq!(html("<b>\"x\"\n"), "&lt;b&gt;&quot;x&quot; ");
        assert_eq!(bar(1, 10), "██");
        assert_eq!(bar(0, 10), "");
        assert_eq!(bar(10, 10).chars().count(), 16);
    }
}
