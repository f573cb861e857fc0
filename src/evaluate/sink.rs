//! The sink: the one place findings pass through after evaluation. It fingerprints them, applies
//! waivers and the baseline (suppressed findings stay in the report, marked, and do not count),
//! reports waivers that expired, went stale or matched nothing, and applies the configured
//! severity overrides (`off` drops a rule), to every finding alike.

use std::collections::{BTreeMap, HashMap, HashSet};

use globset::GlobSet;
use rayon::prelude::*;

use crate::{
    date::Date,
    model::{Finding, Suppressed, Suppression},
    pin,
    vocab::Severity,
};

/// A severity override: a severity, or `off`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Level {
    /// The rule does not report.
    Off,
    /// The rule reports at this severity.
    Severity(Severity),
}

/// A `[[waiver]]`.
#[derive(Clone, Debug)]
pub struct Waiver {
    /// Model id glob, as written.
    pub model: String,
    /// The compiled glob (case-insensitive).
    pub glob: GlobSet,
    /// Rule id.
    pub rule: String,
    /// Why the finding is accepted.
    pub reason: String,
    /// Last day the waiver holds.
    pub expires: Option<Date>,
    /// The licence hash the decision was made on.
    pub licence_hash: Option<String>,
    /// Configuration file.
    pub file: String,
    /// 1-based line of the waiver.
    pub line: u32,
}

/// Findings recorded by `--write-baseline`, matched by rule, model and fingerprint.
#[derive(Clone, Debug, Default)]
pub struct BaselineSet {
    /// The file, for the report.
    pub file: String,
    /// `(rule, model or file, fingerprint)`.
    pub entries: HashSet<(String, String, String)>,
}

impl BaselineSet {
    /// The key a finding is recorded under.
    pub fn key(f: &Finding) -> (String, String, String) {
        (f.rule.clone(), f.model.clone().or_else(|| f.file.clone()).unwrap_or_default(), f.fingerprint.clone())
    }
}

/// The rule texts of the findings the sink itself raises (from the `_config` pack).
#[derive(Clone, Debug)]
pub struct SinkRule {
    /// Default severity.
    pub severity: Severity,
    /// Remediation.
    pub help: std::sync::Arc<str>,
}

/// What the sink needs.
#[derive(Clone, Debug, Default)]
pub struct SinkConfig {
    /// Severity overrides by rule id.
    pub severity: BTreeMap<String, Level>,
    /// Waivers.
    pub waivers: Vec<Waiver>,
    /// The baseline, if one was given.
    pub baseline: Option<BaselineSet>,
    /// Today, for expiry.
    pub today: Option<Date>,
    /// Licence hash of each model id.
    pub hashes: HashMap<String, String>,
    /// Report configuration entries that matched nothing (off when the scan is limited to
    /// changed models, where most entries have nothing to match).
    pub report_unused: bool,
    /// Texts of `waiver-expired`, `pin-stale`, `config-unused`.
    pub rules: HashMap<String, SinkRule>,
    /// The rules that ran; a waiver of a rule that did not run is not reported as unused.
    /// Empty: every rule counts as run.
    pub enabled: HashSet<String>,
}

/// What comes out of the sink.
#[derive(Clone, Debug, Default)]
pub struct Sunk {
    /// Findings that count, sorted.
    pub findings: Vec<Finding>,
    /// Findings kept from counting, sorted.
    pub suppressed: Vec<Suppressed>,
}

/// Passes findings (and findings the configuration raised elsewhere, `extra`) through the sink.
pub fn sink(mut findings: Vec<Finding>, extra: Vec<Finding>, config: &SinkConfig) -> Sunk {
    let mut used = vec![false; config.waivers.len()];
    let mut stale: BTreeMap<(usize, String), String> = BTreeMap::new();
    let mut out = Sunk::default();
    findings.par_iter_mut().for_each(|f| f.fingerprint = pin::fingerprint(f));
    for f in findings {
        match waive(&f, config, &mut used, &mut stale) {
            Some(suppression) => out.suppressed.push(Suppressed { finding: f, suppression }),
            None => match &config.baseline {
                Some(b) if b.entries.contains(&BaselineSet::key(&f)) => out
                    .suppressed
                    .push(Suppressed { finding: f, suppression: Suppression::Baseline { file: b.file.clone() } }),
                _ => out.findings.push(f),
            },
        }
    }
    let mut raised = extra;
    raised.extend(waiver_findings(config, &used, &stale));
    for mut f in raised {
        f.fingerprint = pin::fingerprint(&f);
        out.findings.push(f);
    }
    apply_levels(&mut out, &config.severity);
    super::sort(&mut out.findings);
    out.suppressed.sort_by(|a, b| super::order(&a.finding, &b.finding));
    out
}

/// The first waiver that holds for a finding. Expired waivers and waivers whose licence hash no
/// longer matches do not hold; the latter are remembered as stale.
fn waive(
    f: &Finding,
    config: &SinkConfig,
    used: &mut [bool],
    stale: &mut BTreeMap<(usize, String), String>,
) -> Option<Suppression> {
    let subject = f.model.as_deref().or(f.file.as_deref())?;
    for (i, w) in config.waivers.iter().enumerate() {
        if w.rule != f.rule || !w.glob.is_match(subject) {
            continue;
        }
        if w.expires.is_some_and(|e| config.today.is_some_and(|t| t > e)) {
            continue;
        }
        if let Some(pinned) = &w.licence_hash {
            let now = f.model.as_ref().and_then(|m| config.hashes.get(m));
            if now != Some(pinned) {
                stale.insert((i, subject.to_string()), now.cloned().unwrap_or_else(|| "none".into()));
                continue;
            }
        }
        used[i] = true;
        return Some(Suppression::Waiver {
            reason: w.reason.clone(),
            expires: w.expires.map(|d| d.to_string()),
            licence_hash: w.licence_hash.clone(),
            file: w.file.clone(),
            line: w.line,
        });
    }
    None
}

fn waiver_findings(config: &SinkConfig, used: &[bool], stale: &BTreeMap<(usize, String), String>) -> Vec<Finding> {
    let raise = |rule: &str, w: &Waiver, model: Option<String>, message: String| -> Option<Finding> {
        let text = config.rules.get(rule)?;
        Some(Finding {
            rule: rule.to_string(),
            severity: text.severity,
            model,
            message,
            file: Some(w.file.clone()),
            line: Some(w.line),
            help: text.help.clone(),
            fingerprint: String::new(),
        })
    };
    let mut out = Vec::new();
    for (i, w) in config.waivers.iter().enumerate() {
        let what = format!("waiver of `{}` for `{}`", w.rule, w.model);
        if let (Some(e), Some(t)) = (w.expires, config.today)
            && t > e
        {
            out.extend(raise("waiver-expired", w, None, format!("{what} expired on {e} (reason given: {})", w.reason)));
            continue;
        }
        let mut went_stale = false;
        for ((j, subject), now) in stale.range((i, String::new())..) {
            if *j != i {
                break;
            }
            went_stale = true;
            let was = w.licence_hash.as_deref().unwrap_or("");
            out.extend(raise(
                "pin-stale",
                w,
                Some(subject.clone()),
                format!("{what} was decided on licence hash {was}; the licence evidence of {subject} is now {now}"),
            ));
        }
        let ran = config.enabled.is_empty() || config.enabled.contains(&w.rule);
        if !used[i] && !went_stale && config.report_unused && ran {
            out.extend(raise("config-unused", w, None, format!("{what} matched no finding")));
        }
    }
    out
}

fn apply_levels(out: &mut Sunk, levels: &BTreeMap<String, Level>) {
    out.findings.retain_mut(|f| relevel(f, levels));
    out.suppressed.retain_mut(|s| relevel(&mut s.finding, levels));
}

/// Applies a rule's override to a finding; `false` when the rule is off.
fn relevel(f: &mut Finding, levels: &BTreeMap<String, Level>) -> bool {
    match levels.get(&f.rule) {
        Some(Level::Off) => false,
        Some(Level::Severity(s)) => {
            f.severity = *s;
            true
        }
        None => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evaluate::condition::glob_set;

    fn finding(rule: &str, model: &str) -> Finding {
        Finding {
            rule: rule.into(),
            severity: Severity::Error,
            model: Some(model.into()),
            message: format!("{rule} on {model}"),
            file: Some(format!("{model}/README.md")),
            line: Some(1),
            help: "h".into(),
            fingerprint: String::new(),
        }
    }

    fn waiver(model: &str, rule: &str, expires: Option<&str>, hash: Option<&str>) -> Waiver {
        Waiver {
            model: model.into(),
            glob: glob_set(&[model.to_string()]).unwrap(),
            rule: rule.into(),
            reason: "accepted".into(),
            expires: expires.map(|e| Date::parse(e).unwrap()),
            licence_hash: hash.map(str::to_string),
            file: "modelgate.toml".into(),
            line: 7,
        }
    }

    fn config(waivers: Vec<Waiver>) -> SinkConfig {
        let mut rules = HashMap::new();
        for (id, s) in
            [("waiver-expired", Severity::Warning), ("pin-stale", Severity::Warning), ("config-unused", Severity::Note)]
        {
            rules.insert(id.to_string(), SinkRule { severity: s, help: "h".into() });
        }
        SinkConfig {
            waivers,
            today: Some(Date::parse("2026-06-01").unwrap()),
            report_unused: true,
            rules,
            ..SinkConfig::default()
        }
    }

    #[test]
    fn waivers_suppress_until_they_expire_and_then_are_findings() {
        let live = config(vec![waiver("acme/*", "r", Some("2026-06-01"), None)]);
        let out = sink(vec![finding("r", "acme/a"), finding("r", "other/b")], vec![], &live);
        assert_eq!(out.suppressed.len(), 1);
        assert_eq!(out.findings.len(), 1);
        assert_eq!(out.findings[0].model.as_deref(), Some("other/b"));
        assert!(matches!(out.suppressed[0].suppression, Suppression::Waiver { line: 7, .. }));

        let expired = config(vec![waiver("acme/*", "r", Some("2026-05-31"), None)]);
        let out = sink(vec![finding("r", "acme/a")], vec![], &expired);
        assert!(out.suppressed.is_empty());
        let rules: Vec<&str> = out.findings.iter().map(|f| f.rule.as_str()).collect();
        assert_eq!(rules, ["r", "waiver-expired"]);
        assert!(out.findings[1].message.contains("expired on 2026-05-31"));
    }

    #[test]
    fn a_changed_licence_reopens_a_pinned_waiver() {
        let mut c = config(vec![waiver("m", "r", None, Some("sha256:old"))]);
        c.hashes.insert("m".into(), "sha256:new".into());
        let out = sink(vec![finding("r", "m")], vec![], &c);
        let rules: Vec<&str> = out.findings.iter().map(|f| f.rule.as_str()).collect();
        assert_eq!(rules, ["r", "pin-stale"], "finding re-opened, stale pin reported, not unused");
        assert!(out.findings[1].message.contains("sha256:new"));
        c.hashes.insert("m".into(), "sha256:old".into());
        assert_eq!(sink(vec![finding("r", "m")], vec![], &c).suppressed.len(), 1);
    }

    #[test]
    fn unused_waivers_overrides_and_baseline() {
        let mut c = config(vec![waiver("nobody", "r", None, None)]);
        c.severity.insert("r".into(), Level::Severity(Severity::Note));
        c.severity.insert("config-unused".into(), Level::Off);
        let out = sink(vec![finding("r", "m"), finding("s", "m")], vec![], &c);
        assert_eq!(
            out.findings.iter().map(|f| (f.rule.as_str(), f.severity)).collect::<Vec<_>>(),
            [("r", Severity::Note), ("s", Severity::Error)]
        );
        c.severity.clear();
        let out = sink(vec![], vec![], &c);
        assert_eq!(out.findings[0].rule, "config-unused");
        c.enabled.insert("s".into());
        assert!(sink(vec![], vec![], &c).findings.is_empty(), "a waiver of a rule that did not run is not unused");

        let mut first = finding("s", "m");
        first.fingerprint = pin::fingerprint(&first);
        let mut b = BaselineSet { file: "b.json".into(), ..BaselineSet::default() };
        b.entries.insert(BaselineSet::key(&first));
        let c = SinkConfig { baseline: Some(b), ..config(vec![]) };
        let out = sink(vec![finding("s", "m"), finding("s", "n")], vec![], &c);
        assert_eq!(out.suppressed.len(), 1);
        assert_eq!(out.findings.len(), 1);
        assert_eq!(out.findings[0].model.as_deref(), Some("n"));
    }
}
