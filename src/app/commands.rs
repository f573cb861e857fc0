//! `modelgate rules list|show` and `modelgate init`.

use std::{fs, io::Write, path::PathBuf};

use anyhow::{Context, Result, bail};

use crate::{
    cli::{InitArgs, RulesCommand},
    config,
    evaluate::pack::{self, Pack},
    report::rules::{self, PackInfo},
};

/// The built-in packs, internal last, and the pack file asked for.
fn packs(extra: Option<&str>) -> Result<Vec<Pack>> {
    let mut out: Vec<Pack> = pack::names().into_iter().map(pack::builtin).collect::<Result<_, _>>()?;
    out.push(pack::config_pack()?);
    if let Some(spec) = extra {
        let p = pack::load(spec, &PathBuf::from("."))?;
        out.retain(|q| q.name != p.name);
        out.push(p);
    }
    Ok(out)
}

/// Runs `modelgate rules …`; returns the text to print.
pub fn rules(cmd: &RulesCommand) -> Result<Vec<u8>> {
    let mut buffer = Vec::new();
    match cmd {
        RulesCommand::List { pack, format } => {
            let all = packs(pack.as_deref())?;
            let selected: Vec<&Pack> = match pack {
                Some(spec) => {
                    let name =
                        if pack::is_path(spec) { all.last().map(|p| p.name.clone()) } else { Some(spec.clone()) };
                    all.iter().filter(|p| Some(&p.name) == name.as_ref()).collect()
                }
                None => all.iter().collect(),
            };
            if selected.is_empty() {
                bail!(
                    "no built-in policy pack `{}` (built-in: {})",
                    pack.as_deref().unwrap_or(""),
                    pack::names().join(", ")
                );
            }
            // One pack: every rule it runs, included ones too. All packs: each rule once, under
            // the pack that defines it.
            let one = pack.is_some();
            let list: Vec<pack::Rule> = selected
                .iter()
                .flat_map(|p| p.rules.iter().filter(move |r| one || r.pack == p.name).cloned())
                .collect();
            let info: Vec<PackInfo<'_>> =
                selected.iter().map(|p| PackInfo { name: &p.name, description: &p.description }).collect();
            rules::write_list(&list, &info, *format, &mut buffer)?;
        }
        RulesCommand::Show { id, pack, format } => {
            let all = packs(pack.as_deref())?;
            let rule = all.iter().rev().flat_map(|p| &p.rules).find(|r| r.id == *id);
            let Some(rule) = rule else {
                bail!("no rule `{id}`; `modelgate rules list` shows every rule id");
            };
            rules::write_one(rule, *format, &mut buffer)?;
        }
    }
    Ok(buffer)
}

/// Runs `modelgate init`; returns the path written.
pub fn init(args: &InitArgs) -> Result<PathBuf> {
    if !args.dir.is_dir() {
        bail!("`{}` is not a directory", args.dir.display());
    }
    let path = args.dir.join(config::FILE_NAME);
    if path.exists() && !args.force {
        bail!("`{}` already exists; use --force to overwrite it", path.display());
    }
    let mut file = fs::File::create(&path).with_context(|| format!("cannot write `{}`", path.display()))?;
    file.write_all(config::STARTER.as_bytes()).with_context(|| format!("cannot write `{}`", path.display()))?;
    Ok(path)
}
