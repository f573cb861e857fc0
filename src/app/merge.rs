//! `modelgate merge REPORT...`: reports of `scan --shard K/N` (JSON or JSON Lines) put back
//! together into the report one scan of the same tree gives, in any format; or the reports of
//! several scans (several repositories) combined into one.
//!
//! Shard reports must come from one version with the same packs and configuration, and all N
//! parts must be there. Models, datasets and findings about a model belong to exactly one part
//! and are concatenated; findings about no model (file problems, configuration findings) are
//! reported by every part and kept once, and only when every part reported them (an unused
//! waiver is unused only when no part used it). The result is sorted as a scan sorts, and its
//! summary is counted again from what it holds.

use std::{
    collections::BTreeMap,
    fs::File,
    io::{self, BufRead, BufReader, Read},
    path::Path,
};

use anyhow::{Context, Result, bail};

use super::{EXIT_CLEAN, EXIT_FINDINGS};
use crate::{
    cli::MergeArgs,
    evaluate::{self, pack},
    model::{Finding, Suppressed},
    report::{Format, RenderOptions, Report, jsonl},
};

/// Runs `modelgate merge`.
pub(super) fn run(args: &MergeArgs) -> Result<u8> {
    let mut reports = Vec::new();
    for path in &args.reports {
        let mut report = read(path)?;
        restore(&mut report);
        reports.push((path.display().to_string(), report));
    }
    if let Some(dir) = &args.template
        && (args.format != Format::Html || !dir.is_dir())
    {
        bail!("--template takes a directory of HTML templates and applies to --format html only");
    }
    // What a whole scan would name as scanned: the shards' own list, else the reports merged.
    let scanned = match reports.iter().find(|(_, r)| !r.scanned.is_empty()) {
        Some((_, r)) => r.scanned.clone(),
        None => reports.iter().map(|(name, _)| name.clone()).collect(),
    };
    let mut merged = merge(reports)?;
    merged.rules = rules_of(&merged.policy, &args.policies)?;
    let fail_on = args.fail_on.threshold();
    let options = RenderOptions {
        colour: super::colour(args.color, args.output.as_deref()) && args.format == Format::Terminal,
        quiet: args.quiet,
        fail_on,
        path_prefix: args.path_prefix.clone().unwrap_or_default(),
        generated: super::generated(args.format)?,
        scanned,
        template: args.template.clone(),
    };
    super::emit(&merged, args.format, args.output.as_deref(), options)?;
    let failed = matches!((fail_on, merged.worst()), (Some(t), Some(w)) if w >= t);
    Ok(if failed { EXIT_FINDINGS } else { EXIT_CLEAN })
}

/// Reads one report: JSON Lines when its first line is a `meta` record, else a JSON report.
fn read(path: &Path) -> Result<Report> {
    let shown = path.display();
    let input: Box<dyn Read> = if path.as_os_str() == "-" {
        Box::new(io::stdin().lock())
    } else {
        Box::new(File::open(path).with_context(|| format!("cannot read `{shown}`"))?)
    };
    let mut input = BufReader::with_capacity(1 << 16, input);
    let head = input.fill_buf().with_context(|| format!("cannot read `{shown}`"))?;
    let text = String::from_utf8_lossy(&head[..head.len().min(64)]);
    if text.trim_start().starts_with("{\"type\":\"meta\"") {
        return jsonl::read(input).map_err(|e| anyhow::anyhow!("`{shown}`: {e}"));
    }
    let mut de = serde_json::Deserializer::from_reader(input);
    let report: Report = serde::Deserialize::deserialize(&mut de)
        .map_err(|e| anyhow::anyhow!("{shown}:{}:{}: not a modelgate JSON report: {e}", e.line(), e.column()))?;
    Ok(report)
}

/// Sets what the JSON report leaves out but a format needs: the card's `pipeline_tag` (for
/// `--format mof`), from the front matter the report keeps.
fn restore(report: &mut Report) {
    for m in &mut report.models {
        if let Some(card) = &m.card {
            m.pipeline_tag = card.metadata.get("pipeline_tag").and_then(|v| v.as_str().map(str::to_string));
        }
    }
}

/// Puts the reports together.
fn merge(reports: Vec<(String, Report)>) -> Result<Report> {
    let Some((first_name, first)) = reports.first() else { bail!("no report to merge") };
    for (name, r) in &reports[1..] {
        if r.policy != first.policy || r.config != first.config {
            bail!(
                "`{name}` was scanned with other packs or another configuration than `{first_name}` \
                 (packs {:?} and {:?}); merge reports of the same policy",
                r.policy,
                first.policy
            );
        }
    }
    let shards = check_shards(&reports)?;
    let mut out = Report::from_assessed(Vec::new(), &[], Vec::new(), first.policy.clone());
    // A merged report covers the whole scan: neither `shard` nor `scanned` (shard reports only).
    out.config = first.config.clone();
    let mut modelless: BTreeMap<String, (Finding, usize)> = BTreeMap::new();
    let mut modelless_suppressed: BTreeMap<String, (Suppressed, usize)> = BTreeMap::new();
    for (_, r) in reports {
        out.models.extend(r.models);
        out.datasets.extend(r.datasets);
        for f in r.findings {
            if shards > 1 && f.model.is_none() {
                let key = serde_json::to_string(&f).unwrap_or_default();
                modelless.entry(key).or_insert((f, 0)).1 += 1;
            } else {
                out.findings.push(f);
            }
        }
        for s in r.suppressed {
            if shards > 1 && s.finding.model.is_none() {
                let key = serde_json::to_string(&s).unwrap_or_default();
                modelless_suppressed.entry(key).or_insert((s, 0)).1 += 1;
            } else {
                out.suppressed.push(s);
            }
        }
    }
    out.findings.extend(modelless.into_values().filter(|(_, n)| *n == shards).map(|(f, _)| f));
    out.suppressed.extend(modelless_suppressed.into_values().filter(|(_, n)| *n == shards).map(|(s, _)| s));
    out.models.sort_by(|a, b| (&a.id, &a.location).cmp(&(&b.id, &b.location)));
    out.datasets.sort_by(|a, b| (&a.id, &a.location).cmp(&(&b.id, &b.location)));
    evaluate::sort(&mut out.findings);
    out.suppressed.sort_by(|a, b| evaluate::order(&a.finding, &b.finding));
    out.summarise();
    Ok(out)
}

/// The number of shards the reports are the parts of (1 when they are not shard reports),
/// checking that every part is there once.
fn check_shards(reports: &[(String, Report)]) -> Result<usize> {
    let sharded: Vec<_> = reports.iter().filter_map(|(n, r)| r.shard.map(|s| (n, s))).collect();
    if sharded.is_empty() {
        return Ok(1);
    }
    if sharded.len() != reports.len() {
        bail!("some reports are shards of a scan and some are not; merge the shards of one scan");
    }
    let count = sharded[0].1.count;
    let mut seen: BTreeMap<u32, &String> = BTreeMap::new();
    for (name, s) in &sharded {
        if s.count != count {
            bail!("`{name}` is shard {s}, the others are of {count}; merge the shards of one scan");
        }
        if let Some(other) = seen.insert(s.index, name) {
            bail!("`{other}` and `{name}` are both shard {s}");
        }
    }
    let missing: Vec<String> = (1..=count).filter(|k| !seen.contains_key(k)).map(|k| format!("{k}/{count}")).collect();
    if !missing.is_empty() {
        bail!("shard {} missing: a merge of fewer parts would not be the whole scan", missing.join(", "));
    }
    Ok(count as usize)
}

/// The rules of the packs a report names, for SARIF's rule metadata: built-in packs by name,
/// pack files from `files` (`merge --policy`), which must be packs the reports name.
fn rules_of(policy: &[String], files: &[String]) -> Result<Vec<pack::Rule>> {
    let cwd = Path::new(".");
    let mut given = Vec::new();
    for file in files {
        let p = pack::load(file, cwd).with_context(|| format!("cannot load the policy `{file}`"))?;
        if !policy.contains(&p.name) {
            bail!(
                "`{file}` is the pack `{}`, but the reports were scanned with {}; give the pack files of those",
                p.name,
                policy.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", ")
            );
        }
        given.push(p);
    }
    let mut packs: Vec<pack::Pack> = pack::config_pack().into_iter().collect();
    for name in policy {
        match given.iter().position(|p| &p.name == name) {
            Some(i) => packs.push(given.swap_remove(i)),
            None => packs.extend(pack::builtin(name).ok()),
        }
    }
    Ok(evaluate::enabled_rules(&packs).into_iter().cloned().collect())
}
