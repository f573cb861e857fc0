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
    assemble, baseline,
    catalogue::Catalogue,
    classify,
    cli::{Cli, ColourChoice, Command, LicencesCommand, ListFormat, ScanArgs},
    config::clarify,
    discover::{self, WalkOptions},
    evaluate::{self, pack, sink},
    identify,
    model::Parsed,
    parse::{self, Limits},
    pin,
    report::{self, Format, RenderOptions, Report},
};

mod commands;
mod gate;

pub use gate::Gate;

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
        Command::Rules(cmd) => commands::rules(&cmd).and_then(|text| print(&text).map(|()| EXIT_CLEAN)),
        Command::Init(args) => commands::init(&args).map(|path| {
            let _ = writeln!(io::stderr(), "modelgate: wrote {}", path.display());
            EXIT_CLEAN
        }),
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(err) => {
            let _ = writeln!(io::stderr(), "modelgate: error: {err:#}");
            ExitCode::from(EXIT_ERROR)
        }
    }
}

/// Writes to standard output; a reader closing the pipe early is not an error.
fn print(buffer: &[u8]) -> Result<()> {
    let mut stdout = io::stdout().lock();
    if let Err(e) = stdout.write_all(buffer).and_then(|()| stdout.flush()) {
        // A closed pipe (`| head`) is the reader's choice, not a failure of the scan.
        if e.kind() != io::ErrorKind::BrokenPipe {
            return Err(e).context("cannot write to standard output");
        }
    }
    Ok(())
}

fn scan(args: &ScanArgs) -> Result<u8> {
    for path in &args.paths {
        if !path.is_dir() {
            if path.exists() {
                bail!("`{}` is not a directory; scan takes directories", path.display());
            }
            bail!("`{}` does not exist", path.display());
        }
    }

    let gate = Gate::from_args(args)?;
    let report = build_gated_report(args, &gate)?;

    let colour = match args.color {
        ColourChoice::Always => true,
        ColourChoice::Never => false,
        ColourChoice::Auto => {
            args.output.is_none()
                && io::stdout().is_terminal()
                && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
        }
    };
    let options = RenderOptions {
        colour: colour && args.format == Format::Terminal,
        quiet: args.quiet,
        fail_on: gate.fail_on,
        path_prefix: path_prefix(&args.paths),
    };
    let mut buffer = Vec::new();
    report::write(&report, args.format, &mut buffer, options).context("cannot render the report")?;
    match &args.output {
        Some(file) => fs::write(file, &buffer).with_context(|| format!("cannot write `{}`", file.display()))?,
        None => print(&buffer)?,
    }
    if let Some(path) = &args.write_baseline {
        baseline::write(path, &baseline::of(&report.findings, &report.suppressed))?;
    }

    let failed = match (gate.fail_on, report.worst()) {
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
    print(&buffer)?;
    Ok(EXIT_CLEAN)
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

/// Runs the pipeline over every root with these packs only (no configuration, baseline or diff
/// mode).
pub fn build_report(args: &ScanArgs, packs: &[pack::Pack]) -> Result<Report> {
    build_gated_report(args, &Gate::plain(packs)?)
}

/// Runs the pipeline over every root: walk (minus excluded paths), parse, assemble, identify,
/// clarify, classify, keep the changed models in diff mode, evaluate, sink.
pub fn build_gated_report(args: &ScanArgs, gate: &Gate) -> Result<Report> {
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
    let keep_card_text = gate.packs.iter().chain([&gate.config_pack]).any(pack::Pack::reads_card_text);
    let limits = Limits { max_file_size: args.max_file_size, keep_card_text };
    let several = args.paths.len() > 1;
    let mut parsed: Vec<Parsed> = Vec::new();
    let mut problems = Vec::new();
    for root in &args.paths {
        let mut found = discover::walk(root, &walk);
        found.artifacts.retain(|a| !gate.excluded(&a.rel));
        found.problems.retain(|p| !gate.excluded(&p.file));
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
    let assembled = assemble::assemble(parsed, problems, &root_name);
    let mut identified = identify::identify(assembled);
    let (clarifications, licences) = match &gate.config {
        Some(c) => (c.clarifications.as_slice(), c.licences.clone()),
        None => (&[][..], Default::default()),
    };
    let raised = clarify::apply(&mut identified.models, clarifications, &gate.sink.rules, gate.sink.report_unused);
    let mut assessed = classify::classify(identified.models, &identified.datasets);
    let mut problems = identified.problems;
    if let Some(changed) = &gate.changed {
        assessed.retain(|m| changed.touches(m));
        problems.retain(|p| changed.touches_problem(p));
    }
    let packs = gate.evaluated_packs();
    let findings = evaluate::evaluate_with(&assessed, &problems, &packs, &licences);
    let mut sink_config = gate.sink.clone();
    sink_config.enabled = evaluate::enabled_rules(&packs).into_iter().map(|r| r.id.clone()).collect();
    sink_config.hashes = assessed
        .iter()
        .map(|m| (m.identified.evidence.id.clone(), pin::licence_hash(&m.identified.evidence)))
        .collect();
    let sunk = sink::sink(findings, raised, &sink_config);
    let policy = gate.packs.iter().map(|p| p.name.clone()).collect();
    let mut report =
        Report::new(&assessed, &identified.datasets, sunk.findings, policy).with_suppressed(sunk.suppressed);
    report.rules = evaluate::enabled_rules(&packs).into_iter().cloned().collect();
    report.config = gate.config.as_ref().map(|c| c.file.clone());
    Ok(report)
}

/// What turns report paths into paths from the current directory (the repository root in CI):
/// the scanned directory, when one is scanned and it lies below the current directory. A
/// directory elsewhere (`scan /github/workspace`) is taken as the repository root itself.
fn path_prefix(paths: &[PathBuf]) -> String {
    let [root] = paths else { return String::new() };
    let relative = match (root.canonicalize(), std::env::current_dir().and_then(|d| d.canonicalize())) {
        (Ok(r), Ok(cwd)) => {
            r.strip_prefix(&cwd).map(|rel| rel.to_string_lossy().replace('\\', "/")).unwrap_or_default()
        }
        _ => String::new(),
    };
    if relative.is_empty() || relative == "." { String::new() } else { format!("{}/", relative.trim_end_matches('/')) }
}

/// The name a model at the scanned root is given: the directory's own name.
fn root_name(root: &Path) -> String {
    let canonical = root.canonicalize().unwrap_or_else(|_| PathBuf::from(root));
    canonical.file_name().map_or_else(|| ".".to_string(), |n| n.to_string_lossy().into_owned())
}

pub(crate) fn display_path(p: &Path) -> String {
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
