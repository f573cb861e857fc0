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
    assemble, classify,
    cli::{Cli, ColourChoice, Command, ScanArgs},
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
    for path in &args.paths {
        if !path.is_dir() {
            if path.exists() {
                bail!("`{}` is not a directory; scan takes directories", path.display());
            }
            bail!("`{}` does not exist", path.display());
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
    let mut buffer = Vec::new();
    report::write(&report, args.format, &mut buffer, options).context("cannot render the report")?;
    match &args.output {
        Some(file) => fs::write(file, &buffer).with_context(|| format!("cannot write `{}`", file.display()))?,
        None => {
            let mut stdout = io::stdout().lock();
            if let Err(e) = stdout.write_all(&buffer).and_then(|()| stdout.flush()) {
                // A closed pipe (`| head`) is the reader's choice, not a failure of the scan.
                if e.kind() != io::ErrorKind::BrokenPipe {
                    return Err(e).context("cannot write to standard output");
                }
            }
        }
    }

    let failed = match (args.fail_on.threshold(), report.worst()) {
        (Some(threshold), Some(worst)) => worst >= threshold,
        _ => false,
    };
    Ok(if failed { EXIT_FINDINGS } else { EXIT_CLEAN })
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
    let assembled = assemble::assemble(parsed, problems, &root_name);
    let identified = identify::identify(assembled);
    let assessed = classify::classify(identified.models, &identified.datasets);
    let findings = evaluate::evaluate(&assessed, &identified.problems, packs);
    let policy = packs.iter().map(|p| p.name.clone()).collect();
    Ok(Report::new(&assessed, &identified.datasets, findings, policy))
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
