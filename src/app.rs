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
    discover::{self, Stored, WalkOptions, hf_cache, inventory, ollama},
    evaluate::{self, pack},
    identify,
    model::{Assembled, Parsed},
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
    let limits = Limits { max_file_size: args.max_file_size, code_references: !args.no_code_references };
    let roots: Vec<PathBuf> =
        if args.paths.is_empty() && !args.other_sources() { vec![PathBuf::from(".")] } else { args.paths.clone() };
    let several = roots.len() > 1;
    let mut parsed: Vec<Parsed> = Vec::new();
    let mut problems = Vec::new();
    for root in &roots {
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
    let root_name = match roots.first() {
        Some(root) if !several => root_name(root),
        _ => ".".to_string(),
    };
    let mut assembled = assemble::assemble(parsed, problems, &root_name);
    // The other sources: their entries' files are parsed like the walk's (without searching
    // them for references: a cache holds models, not the user's code).
    let entry_limits = Limits { code_references: false, ..limits };
    for stored in other_sources(args)? {
        add_stored(&mut assembled, stored, entry_limits);
    }
    for file in &args.inventory {
        let rows = inventory::read(file)?;
        let entries = inventory::entries(rows)?;
        add_stored(&mut assembled, Stored { entries, problems: Vec::new() }, entry_limits);
    }
    assemble::merge(&mut assembled);
    let identified = identify::identify(assembled);
    let assessed = classify::classify(identified.models, &identified.datasets);
    let findings = evaluate::evaluate(&assessed, &identified.problems, packs);
    let policy = packs.iter().map(|p| p.name.clone()).collect();
    Ok(Report::new(&assessed, &identified.datasets, findings, policy))
}

fn add_stored(assembled: &mut Assembled, stored: Stored, limits: Limits) {
    assembled.problems.extend(stored.problems);
    for entry in stored.entries {
        let parsed = parse::parse_all(&entry.artifacts, limits);
        assemble::add_entry(assembled, entry, parsed);
    }
}

/// Reads the Hugging Face cache, the Ollama store and the Hub, as asked.
fn other_sources(args: &ScanArgs) -> Result<Vec<Stored>> {
    let mut out = Vec::new();
    if let Some(dir) = &args.hf_cache {
        let dir = store_dir(dir, hf_cache::default_dir(), "--hf-cache", "HF_HUB_CACHE, HF_HOME, HOME")?;
        out.push(hf_cache::scan(&dir).context("--hf-cache")?);
    }
    if let Some(dir) = &args.ollama {
        let dir = store_dir(dir, ollama::default_dir(), "--ollama", "OLLAMA_MODELS, HOME")?;
        out.push(ollama::scan(&dir).context("--ollama")?);
    }
    if !args.hub.is_empty() || !args.hub_from.is_empty() {
        out.push(hub(args)?);
    }
    Ok(out)
}

/// The directory a store flag names, else its default place.
fn store_dir(given: &Option<PathBuf>, default: Option<PathBuf>, flag: &str, vars: &str) -> Result<PathBuf> {
    match given {
        Some(d) => Ok(d.clone()),
        None => default.with_context(|| format!("{flag}: no directory given and none of {vars} is set")),
    }
}

#[cfg(feature = "hub")]
fn hub(args: &ScanArgs) -> Result<Stored> {
    use discover::hub::{self, HubOptions, Request};
    let mut requests = Vec::new();
    for raw in &args.hub {
        requests.push(hub::parse_request(raw)?);
    }
    for file in &args.hub_from {
        let rows = inventory::read(file)?;
        requests.extend(inventory::hub_ids(&rows).into_iter().map(|(id, revision)| Request {
            id,
            dataset: false,
            revision,
        }));
    }
    let mut options = HubOptions::from_env(args.hub_cache_dir.clone())
        .context("--hub: no directory for the response cache; give --hub-cache-dir, or set XDG_CACHE_HOME or HOME")?;
    options.refresh = args.hub_refresh;
    options.timeout = std::time::Duration::from_secs(args.hub_timeout.max(1));
    options.retries = args.hub_retries;
    options.max_file_size = args.max_file_size;
    if let Some(Some(dir)) = &args.hf_cache {
        options.hf_cache = Some(dir.clone());
    }
    Ok(hub::fetch(&requests, &options)?)
}

#[cfg(not(feature = "hub"))]
fn hub(_: &ScanArgs) -> Result<Stored> {
    bail!(
        "--hub and --hub-from need the Hub client, which this build of modelgate leaves out (the `hub` cargo feature)"
    )
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
