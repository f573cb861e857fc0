//! What a scan needs besides the walk: the configuration (found or given), the packs selected
//! by flags or configuration, the sink's settings, the baseline, the changed paths of diff mode
//! and the failure threshold. Everything here is read and checked before the scan starts, so a
//! bad configuration fails fast with exit status 2.

use std::{
    collections::HashMap,
    path::{Path, PathBuf},
};

use anyhow::{Context, Result};

use crate::{
    baseline,
    cli::ScanArgs,
    config::{self, Config},
    date::Date,
    evaluate::{
        pack::{self, Pack},
        sink::{SinkConfig, SinkRule},
    },
    limits::{InputLimits, LimitName, LimitSetting},
    scope::{self, Changed},
    vocab::Severity,
};

/// A scan's settings.
pub struct Gate {
    /// The configuration, if one was found or given.
    pub config: Option<Config>,
    /// The packs selected (flags, else configuration, else `default`).
    pub packs: Vec<Pack>,
    /// The internal pack of configuration-driven rules.
    pub config_pack: Pack,
    /// The sink's settings (model hashes are added after the scan).
    pub sink: SinkConfig,
    /// Changed paths, in diff mode.
    pub changed: Option<Changed>,
    /// Lowest severity that fails the scan.
    pub fail_on: Option<Severity>,
    /// Input limits: the defaults, then the configuration's `[limits]`, then the flags.
    pub limits: InputLimits,
}

impl Gate {
    /// Just these packs: no configuration, no baseline, no diff mode (library callers, tests).
    pub fn plain(packs: &[Pack]) -> Result<Gate> {
        let config_pack = pack::config_pack()?;
        let sink = SinkConfig { rules: sink_rules(&config_pack), report_unused: true, ..SinkConfig::default() };
        Ok(Gate {
            config: None,
            packs: packs.to_vec(),
            config_pack,
            sink,
            changed: None,
            fail_on: Some(Severity::Error),
            limits: InputLimits::default(),
        })
    }

    /// Reads the configuration, packs, baseline and changed paths the flags ask for.
    pub fn from_args(args: &ScanArgs) -> Result<Gate> {
        let config = find_config(args)?;
        let cwd = PathBuf::from(".");
        let packs: Vec<Pack> = if !args.policies.is_empty() {
            args.policies
                .iter()
                .map(|p| pack::load(p, &cwd))
                .collect::<Result<_, _>>()
                .context("cannot load the policy")?
        } else if let Some(p) = config.as_ref().and_then(|c| c.packs.clone()) {
            p
        } else {
            vec![pack::builtin("default")?]
        };
        let mut gate = Gate::plain(&packs)?;
        if let Some(c) = &config {
            let builtin = pack::all_builtin_rules()?;
            let configured = c.packs.iter().flatten().flat_map(|p| &p.rules);
            let known: Vec<&str> = builtin
                .iter()
                .chain(packs.iter().flat_map(|p| &p.rules))
                .chain(configured)
                .map(|r| r.id.as_str())
                .collect();
            c.check_rule_ids(&known)?;
            gate.sink.severity = c.severity.clone();
            gate.sink.waivers = c.waivers.clone();
        }
        gate.sink.today = Some(Date::today().map_err(anyhow::Error::msg)?);
        if let Some(path) = &args.baseline {
            gate.sink.baseline = Some(baseline::read(path)?);
        }
        gate.changed = changed(args)?;
        gate.sink.report_unused = gate.changed.is_none();
        let configured = config.as_ref().and_then(|c| c.fail_on).map(|t| t.0);
        gate.fail_on = match args.fail_on {
            Some(f) => f.threshold(),
            None => configured.unwrap_or(Some(Severity::Error)),
        };
        let configured = config.as_ref().map_or(&[][..], |c| c.limits.as_slice());
        gate.limits = limits_of(args, configured);
        gate.config = config;
        Ok(gate)
    }

    /// Whether a path relative to a scanned root is excluded by the configuration.
    pub fn excluded(&self, rel: &str) -> bool {
        self.config.as_ref().is_some_and(|c| c.excluded(rel))
    }

    /// Every pack that evaluates: the selected ones and the configuration's rules.
    pub fn evaluated_packs(&self) -> Vec<Pack> {
        let mut packs = vec![self.config_pack.clone()];
        packs.extend(self.packs.iter().cloned());
        packs
    }
}

/// The input limits: defaults, then `configured` (`[limits]`), then `--limit`, then
/// `--max-file-size`.
pub fn limits_of(args: &ScanArgs, configured: &[LimitSetting]) -> InputLimits {
    let mut limits = InputLimits::default();
    for s in configured.iter().chain(&args.limits) {
        limits.set(s.name, s.value);
    }
    if let Some(bytes) = args.max_file_size {
        limits.set(LimitName::FileSize, bytes);
    }
    limits
}

fn sink_rules(config_pack: &Pack) -> HashMap<String, SinkRule> {
    config_pack.rules.iter().map(|r| (r.id.clone(), SinkRule { severity: r.severity, help: r.help.clone() })).collect()
}

/// `--config`, else `modelgate.toml` in the scanned directory (the current directory when
/// several are scanned); none with `--no-config`.
fn find_config(args: &ScanArgs) -> Result<Option<Config>> {
    if args.no_config {
        return Ok(None);
    }
    let root: &Path = match args.paths.as_slice() {
        [one] => one,
        _ => Path::new("."),
    };
    let path = match &args.config {
        Some(p) => p.clone(),
        None => {
            let p = root.join(config::FILE_NAME);
            if !p.is_file() {
                return Ok(None);
            }
            p
        }
    };
    // Findings name the file relative to the scanned root when it lies inside it.
    let display = match (path.canonicalize(), root.canonicalize()) {
        (Ok(file), Ok(dir)) => file
            .strip_prefix(&dir)
            .map_or_else(|_| path.display().to_string(), |rel| rel.to_string_lossy().replace('\\', "/")),
        _ => path.display().to_string(),
    };
    Ok(Some(Config::load(&path, &display)?))
}

fn changed(args: &ScanArgs) -> Result<Option<Changed>> {
    if args.since.is_none() && args.paths_file.is_none() {
        return Ok(None);
    }
    let several = args.paths.len() > 1;
    let mut changed = Changed::default();
    for root in &args.paths {
        let prefix = several.then(|| super::display_path(root));
        if let Some(rev) = &args.since {
            changed.extend(prefix.as_deref(), scope::since(root, rev)?);
        }
    }
    if let Some(file) = &args.paths_file {
        // Listed paths are relative to the scanned directory (to the current one with several).
        changed.extend(None, scope::paths_file(file)?);
    }
    Ok(Some(changed))
}
