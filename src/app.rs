//! Wiring: flags → discover → parse → assemble → identify → classify → evaluate → report, and
//! the exit code. The only module that knows every stage.

use std::{
    fs,
    io::{self, IsTerminal, Write},
    path::{Path, PathBuf},
    process::ExitCode,
};

use anyhow::{Context, Result, bail};

use crate::{
    assemble,
    catalogue::Catalogue,
    classify,
    cli::{Cli, ColourChoice, Command, LicencesCommand, ListFormat, ScanArgs},
    discover::{self, WalkOptions},
    evaluate::{self, pack},
    identify,
    model::Parsed,
    parse::{self, Limits},
    report::{self, Format, RenderOptions, Report},
};

/// Exit status: no finding at or above `--fail-on`.
pub const EXIT_CLEAN: u8 = 0;
/// Exit status: findings at or above `--fail-on`.
pub const EXIT_FINDINGS: u8 = 1;
/// Exit status: usage, configuration or I/O error.
pub const EXIT_ERROR: u8 = 2;

/// Runs a parsed command line.
pub fn run(cli: Cli) -> ExitCode {
    let result = match cli.command {
        Command::Scan(args) => scan(&args),
        Command::Licences(command) => licences(command),
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(err) => {
            let _ = writeln!(io::stderr(), "modelgate: error: {err:#}");
            ExitCode::from(EXIT_ERROR)
        }
    }
}

fn scan(args: &ScanArgs) -> Result<u8> {
    let packs = args
        .policies
        .iter()
        .map(|name| pack::builtin(name))
        .collect::<Result<Vec<_>, _>>()
        .context("cannot load the policy")?;
    if let Some(mof) = &args.mof {
        if !mof.exists() {
            bail!("`{}` does not exist; --mof takes a Model Openness Tool file or a directory of them", mof.display());
        }
    } else {
        for path in &args.paths {
            if !path.is_dir() {
                if path.exists() {
                    bail!("`{}` is not a directory; scan takes directories", path.display());
                }
                bail!("`{}` does not exist", path.display());
            }
        }
    }

    let report = build_report(args, &packs)?;

    let colour = match args.color {
        ColourChoice::Always => true,
        ColourChoice::Never => false,
        ColourChoice::Auto => {
            args.output.is_none()
                && io::stdout().is_terminal()
                && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
        }
    };
    let options = RenderOptions { colour: colour && args.format == Format::Terminal, quiet: args.quiet };
    match &args.output {
        // MOT files are one model each: a directory gets one file per model.
        Some(dir) if args.format == Format::Mof && dir.is_dir() => write_mot_files(&report, dir)?,
        output => {
            let mut buffer = Vec::new();
            report::write(&report, args.format, &mut buffer, options).context("cannot render the report")?;
            match output {
                Some(file) => fs::write(file, &buffer).with_context(|| format!("cannot write `{}`", file.display()))?,
                None => write_stdout(&buffer)?,
            }
        }
    }

    let failed = match (args.fail_on.threshold(), report.worst()) {
        (Some(threshold), Some(worst)) => worst >= threshold,
        _ => false,
    };
    Ok(if failed { EXIT_FINDINGS } else { EXIT_CLEAN })
}

/// `modelgate licences …`: explain the catalogue, identify files, resolve names.
fn licences(command: LicencesCommand) -> Result<u8> {
    let cat = Catalogue::get();
    let mut buffer = Vec::new();
    match command {
        LicencesCommand::List { category, format } => {
            let entries: Vec<_> = cat.licences().iter().filter(|l| category.is_none_or(|c| l.category == c)).collect();
            report::licences::list(&entries, format == ListFormat::Json, &mut buffer)?;
        }
        LicencesCommand::Show { id, format } => {
            let Some((licence, _)) = identify::resolve_free_text(&id) else {
                let hints = suggestions(cat, &id);
                let hint = if hints.is_empty() {
                    "run `modelgate licences list` for every id".to_string()
                } else {
                    format!("did you mean {}?", hints.join(", "))
                };
                bail!("no licence `{id}` in the catalogue; {hint}");
            };
            report::licences::show(licence, format == ListFormat::Json, &mut buffer)?;
        }
        LicencesCommand::Identify { files, format } => {
            let mut reports = Vec::new();
            for file in &files {
                let (text, _) = parse::read_text(file, 10 * 1024 * 1024)
                    .with_context(|| format!("cannot read `{}`", file.display()))?;
                reports.push((file.display().to_string(), identify::explain_text(&text)));
            }
            report::licences::identify(&reports, format == ListFormat::Json, &mut buffer)?;
        }
        LicencesCommand::Resolve { names, format } => {
            let resolved: Vec<_> = names.iter().map(|n| (n.clone(), identify::resolve_free_text(n))).collect();
            report::licences::resolve(&resolved, format == ListFormat::Json, &mut buffer)?;
        }
    }
    write_stdout(&buffer)?;
    Ok(EXIT_CLEAN)
}

/// `--format mof --output DIR`: one Model Openness Tool file per model.
fn write_mot_files(report: &Report, dir: &Path) -> Result<()> {
    for (model, name) in report.models.iter().zip(report::mot::file_names(report)) {
        let path = dir.join(&name);
        fs::write(&path, report::mot::model_yaml(model))
            .with_context(|| format!("cannot write `{}`", path.display()))?;
    }
    Ok(())
}

/// Catalogue ids that look like what the user typed.
fn suggestions(cat: &Catalogue, query: &str) -> Vec<String> {
    let q = crate::catalogue::normalise_name(query);
    let mut hits: Vec<String> = cat
        .licences()
        .iter()
        .filter(|l| {
            let id = crate::catalogue::normalise_name(&l.id);
            !q.is_empty() && (id.contains(&q) || q.contains(&id) || id.starts_with(q.split(' ').next().unwrap_or("")))
        })
        .map(|l| format!("`{}`", l.id))
        .collect();
    hits.truncate(5);
    hits
}

/// Writes to standard output; a reader that closed the pipe is not an error.
fn write_stdout(bytes: &[u8]) -> Result<()> {
    let mut stdout = io::stdout().lock();
    match stdout.write_all(bytes).and_then(|()| stdout.flush()) {
        Err(e) if e.kind() != io::ErrorKind::BrokenPipe => Err(e).context("cannot write to standard output"),
        _ => Ok(()),
    }
}

/// Runs the pipeline over every root.
pub fn build_report(args: &ScanArgs, packs: &[pack::Pack]) -> Result<Report> {
    let walk = WalkOptions {
        hidden: args.hidden,
        no_ignore: args.no_ignore,
        follow_symlinks: args.follow_symlinks,
        threads: args.threads,
    };
    if args.threads > 0 {
        // Ignore the error: the pool can only be configured once per process.
        let _ = rayon::ThreadPoolBuilder::new().num_threads(args.threads).build_global();
    }
    let limits = Limits { max_file_size: args.max_file_size };
    if let Some(mof) = &args.mof {
        // MOT files: one model per file, the rest of the pipeline as for a scan.
        let found = discover::walk_mot(mof, &walk);
        let parsed = parse::parse_all(&found.artifacts, limits);
        return Ok(finish(parsed, found.problems, &root_name(mof), packs));
    }
    let several = args.paths.len() > 1;
    let mut parsed: Vec<Parsed> = Vec::new();
    let mut problems = Vec::new();
    for root in &args.paths {
        let mut found = discover::walk(root, &walk);
        if several {
            let prefix = display_path(root);
            for a in &mut found.artifacts {
                a.rel = join(&prefix, &a.rel);
            }
            for p in &mut found.problems {
                p.file = join(&prefix, &p.file);
            }
        }
        problems.append(&mut found.problems);
        parsed.extend(parse::parse_all(&found.artifacts, limits));
    }
    let root_name = if several { ".".to_string() } else { root_name(&args.paths[0]) };
    Ok(finish(parsed, problems, &root_name, packs))
}

/// assemble → identify → classify → evaluate → report.
fn finish(parsed: Vec<Parsed>, problems: Vec<crate::model::Problem>, root_name: &str, packs: &[pack::Pack]) -> Report {
    let assembled = assemble::assemble(parsed, problems, root_name);
    let identified = identify::identify(assembled);
    let assessed = classify::classify(identified.models, &identified.datasets);
    let findings = evaluate::evaluate(&assessed, &identified.problems, packs);
    let policy = packs.iter().map(|p| p.name.clone()).collect();
    Report::new(&assessed, &identified.datasets, findings, policy)
}

/// The name a model at the scanned root is given: the directory's own name.
fn root_name(root: &Path) -> String {
    let canonical = root.canonicalize().unwrap_or_else(|_| PathBuf::from(root));
    canonical.file_name().map_or_else(|| ".".to_string(), |n| n.to_string_lossy().into_owned())
}

fn display_path(p: &Path) -> String {
    let s = p.to_string_lossy().replace('\\', "/");
    let s = s.trim_end_matches('/');
    let s = s.strip_prefix("./").unwrap_or(s);
    if s.is_empty() { ".".to_string() } else { s.to_string() }
}

fn join(prefix: &str, rel: &str) -> String {
    match (prefix, rel) {
        (".", r) => r.to_string(),
        (p, ".") => p.to_string(),
        (p, r) => format!("{p}/{r}"),
    }
}
