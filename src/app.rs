//! Wiring: flags → discover → parse → assemble → identify → classify → evaluate → report, and
//! the exit code. The only module that knows every stage.

use std::{
    collections::BTreeMap,
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
    cli::{Cli, ColourChoice, Command, LicencesCommand, ListFormat, RulesCommand, ScanArgs},
    config::clarify,
    discover::{self, Stored, WalkOptions, hf_cache, inventory, ollama},
    evaluate::{self, pack, sink},
    identify,
    limits::InputLimits,
    model::{Assembled, Parsed},
    parse::{self, Limits},
    recognise,
    report::{self, Format, RenderOptions, Report, rules::RulesFormat},
    sanitize,
    stow::Stow,
    timings::Timings,
};

mod commands;
mod gate;
mod merge;
mod output;

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
        Command::Rules(cmd) => {
            let plain = matches!(
                cmd,
                RulesCommand::List { format: RulesFormat::Terminal, .. }
                    | RulesCommand::Show { format: RulesFormat::Terminal, .. }
            );
            commands::rules(&cmd).and_then(|text| print(&for_terminal(text, plain, false)).map(|()| EXIT_CLEAN))
        }
        Command::Init(args) => commands::init(&args).map(|path| {
            let _ = writeln!(io::stderr(), "modelgate: wrote {}", path.display());
            EXIT_CLEAN
        }),
        Command::Merge(args) => merge::run(&args),
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(err) => {
            // Errors may quote a configuration or pack file: no escapes reach the terminal.
            let message = format!("{err:#}");
            let _ = writeln!(io::stderr(), "modelgate: error: {}", sanitize::terminal(&message, false));
            ExitCode::from(EXIT_ERROR)
        }
    }
}

/// The formats written as plain text that people read or `cat` (HTML and CSV escape only their
/// own syntax, so an escape sequence from a card would otherwise reach a terminal); JSON-based
/// formats, XML and YAML escape control characters themselves.
fn is_text(format: Format) -> bool {
    matches!(format, Format::Terminal | Format::Html | Format::Markdown | Format::Csv)
}

/// A rendered text made safe for a terminal (see [`sanitize::terminal`]) when `plain` (a
/// terminal format); other formats escape in their own syntax.
fn for_terminal(buffer: Vec<u8>, plain: bool, colour: bool) -> Vec<u8> {
    if !plain {
        return buffer;
    }
    match String::from_utf8(buffer) {
        Ok(text) => {
            // Most reports hold nothing to take out: no second copy of them.
            if let std::borrow::Cow::Owned(clean) = sanitize::terminal(&text, colour) {
                return clean.into_bytes();
            }
            text.into_bytes()
        }
        Err(e) => sanitize::terminal(&String::from_utf8_lossy(e.as_bytes()), colour).into_owned().into_bytes(),
    }
}

/// Writes to standard output; a reader closing the pipe early is not an error.
fn print(buffer: &[u8]) -> Result<()> {
    output::render(None, |out| out.write_all(buffer))
}

fn scan(args: &ScanArgs) -> Result<u8> {
    let args = &args.with_default_root();
    if let Some(mof) = &args.mof
        && !mof.exists()
    {
        bail!("`{}` does not exist; --mof takes a Model Openness Tool file or a directory of them", mof.display());
    }
    for path in &args.paths {
        if !path.is_dir() {
            if path.exists() {
                bail!("`{}` is not a directory; scan takes directories", path.display());
            }
            bail!("`{}` does not exist", path.display());
        }
    }

    if let Some(dir) = &args.template {
        if args.format != Format::Html {
            bail!("--template applies to --format html only");
        }
        if !dir.is_dir() {
            bail!("--template `{}` is not a directory (it holds report.html, report.css or report.js)", dir.display());
        }
    }
    let gate = Gate::from_args(args)?;
    let mut timings = Timings::from_env();
    let front = front(args, &gate, &mut timings)?;

    let options = RenderOptions {
        colour: colour(args.color, args.output.as_deref()) && args.format == Format::Terminal,
        quiet: args.quiet,
        fail_on: gate.fail_on,
        path_prefix: path_prefix(&args.paths),
        generated: generated(args.format)?,
        scanned: scanned(args),
        template: args.template.clone(),
    };
    let report = if report::streams(args.format) {
        // The models are written as they are judged, and never held all at once.
        let head = head(args, &gate);
        let mut whole = None;
        output::render(args.output.as_deref(), |out| {
            let mut stream = report::stream(args.format, &head, out)?;
            let report = tail(front, args, &gate, &mut timings, PART, &mut |models| stream.models(&models))?;
            stream.finish(&report)?;
            whole = Some(report);
            Ok(())
        })?;
        whole.context("the report was not written")?
    } else {
        let report = if report::shows_models(args.format) {
            collect(front, args, &gate, args.format, &mut timings)?
        } else {
            // Counted in the summary, then dropped.
            tail(front, args, &gate, &mut timings, PART, &mut |_| Ok(()))?
        };
        emit(&report, args.format, args.output.as_deref(), options)?;
        report
    };
    timings.mark("write");
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
    let plain = match &command {
        LicencesCommand::List { format, .. }
        | LicencesCommand::Show { format, .. }
        | LicencesCommand::Identify { format, .. }
        | LicencesCommand::Resolve { format, .. } => *format == ListFormat::Terminal,
    };
    match command {
        LicencesCommand::List { category, format } => {
            let entries: Vec<_> = cat.licences().iter().filter(|l| category.is_none_or(|c| l.category == c)).collect();
            report::licences::list(&entries, format == ListFormat::Json, &mut buffer)?;
        }
        LicencesCommand::Show { id, format } => {
            let Some((licence, _)) = recognise::resolve_free_text(&id) else {
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
                reports.push((file.display().to_string(), recognise::explain_text(&text)));
            }
            report::licences::identify(&reports, format == ListFormat::Json, &mut buffer)?;
        }
        LicencesCommand::Resolve { names, format } => {
            let resolved: Vec<_> = names.iter().map(|n| (n.clone(), recognise::resolve_free_text(n))).collect();
            report::licences::resolve(&resolved, format == ListFormat::Json, &mut buffer)?;
        }
    }
    print(&for_terminal(buffer, plain, false))?;
    Ok(EXIT_CLEAN)
}

/// Whether terminal output gets colour: asked for, or standard output is a terminal and
/// `NO_COLOR` is unset.
fn colour(choice: ColourChoice, output: Option<&Path>) -> bool {
    match choice {
        ColourChoice::Always => true,
        ColourChoice::Never => false,
        ColourChoice::Auto => {
            output.is_none() && io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
        }
    }
}

/// The report time for the formats that carry one (HTML, Markdown, CycloneDX, SPDX), else empty.
fn generated(format: Format) -> Result<String> {
    let stamped = matches!(format, Format::Html | Format::Markdown | Format::Cyclonedx | Format::Spdx);
    if stamped { crate::date::report_time().map_err(anyhow::Error::msg) } else { Ok(String::new()) }
}

/// Writes the report where `--output` says (standard output without it).
fn emit(report: &Report, format: Format, output: Option<&Path>, options: RenderOptions) -> Result<()> {
    match output {
        // MOT files are one model each: a directory gets one file per model.
        Some(dir) if format == Format::Mof && dir.is_dir() => write_mot_files(report, dir),
        // Text that people read is filtered whole, so no escape sequence from a scanned file
        // reaches a terminal, even one split across writes.
        output if is_text(format) => {
            let colour = options.colour;
            let mut buffer = Vec::new();
            report::write(report, format, &mut buffer, options).context("cannot render the report")?;
            let buffer = for_terminal(buffer, true, colour);
            output::render(output, |out| out.write_all(&buffer))
        }
        // The other formats escape in their own syntax and are rendered straight to the file or
        // standard output: a report of 50,000 models is larger than the rest of the scan's memory.
        output => output::render(output, |out| report::write(report, format, out, options)),
    }
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

/// Runs the pipeline over every root with these packs only (no configuration, baseline or diff
/// mode).
pub fn build_report(args: &ScanArgs, packs: &[pack::Pack]) -> Result<Report> {
    let mut gate = Gate::plain(packs)?;
    gate.limits = gate::limits_of(args, &[]);
    build_gated_report(&args.with_default_root(), &gate)
}

/// Runs the pipeline over every root: walk (minus excluded paths), parse, assemble, identify,
/// clarify, classify, keep the changed models in diff mode, evaluate, sink.
pub fn build_gated_report(args: &ScanArgs, gate: &Gate) -> Result<Report> {
    let mut timings = Timings::from_env();
    let front = front(args, gate, &mut timings)?;
    // JSON keeps every field of every model.
    collect(front, args, gate, Format::Json, &mut timings)
}

/// The whole report, its models held in it with what `format` shows of them.
fn collect(front: Front, args: &ScanArgs, gate: &Gate, format: Format, timings: &mut Timings) -> Result<Report> {
    let mut models = Vec::new();
    let mut report = tail(front, args, gate, timings, PART, &mut |part| {
        models.extend(part.into_iter().map(|mut m| {
            report::trim_for(format, &mut m);
            m
        }));
        Ok(())
    })?;
    report.models = models;
    Ok(report)
}

/// What the stages up to identification make: every model identified, since lineage reads them
/// all; the stages after it take the models a part at a time ([`tail`]).
struct Front {
    identified: identify::Identification,
    /// Findings the configuration's clarifications raised.
    raised: Vec<crate::model::Finding>,
    /// `--hash`: the SHA-256 of each local weight file by report path, or why it has none.
    digests: BTreeMap<String, Result<String, String>>,
    /// Where the model cards' bodies wait for their models to be judged.
    stow: Stow,
}

/// Walks (minus excluded paths), parses, assembles, identifies and clarifies, marking each
/// stage's end in `timings`.
fn front(args: &ScanArgs, gate: &Gate, timings: &mut Timings) -> Result<Front> {
    let walk = WalkOptions {
        hidden: args.hidden,
        no_ignore: args.no_ignore,
        follow_symlinks: args.follow_symlinks,
        threads: args.threads,
        limits: gate.limits,
    };
    if args.threads > 0 {
        // Ignore the error: the pool can only be configured once per process.
        let _ = rayon::ThreadPoolBuilder::new().num_threads(args.threads).build_global();
    }
    let keep_card_text = gate.packs.iter().chain([&gate.config_pack]).any(pack::Pack::reads_card_text);
    let limits = Limits { input: gate.limits, keep_card_text, code_references: !args.no_code_references };
    let several = args.paths.len() > 1;
    let stow = Stow::temporary();
    let mut parsed: Vec<Parsed> = Vec::new();
    let mut problems = Vec::new();
    if let Some(mof) = &args.mof {
        // Model Openness Tool files: one model per file, judged like any other record.
        let found = discover::walk_mot(mof, &walk);
        problems.extend(found.problems);
        parsed.extend(parse::parse_all(&found.artifacts, limits, &stow));
    }
    let mut weight_paths = BTreeMap::new();
    for root in &args.paths {
        let mut found = discover::walk(root, &walk);
        timings.mark("discover");
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
        if args.hash {
            weight_paths.extend(weights_of(&found.artifacts));
        }
        parsed.extend(parse::parse_all(&found.artifacts, limits, &stow));
        timings.mark("parse");
    }
    let root_name = match (args.paths.as_slice(), &args.mof) {
        ([root], _) => root_name(root),
        ([], Some(mof)) => root_name(mof),
        _ => ".".to_string(),
    };
    let mut assembled = assemble::assemble(parsed, problems, &root_name);
    // The other sources: their entries' files are parsed like the walk's (without searching
    // them for references: a cache holds models, not the user's code).
    let entry_limits = Limits { code_references: false, ..limits };
    for stored in other_sources(args, &gate.limits)? {
        if args.hash {
            weight_paths.extend(stored.entries.iter().flat_map(|e| weights_of(&e.artifacts)));
        }
        add_stored(&mut assembled, stored, entry_limits, &stow);
    }
    for file in &args.inventory {
        let rows = inventory::read(file)?;
        let entries = inventory::entries(rows)?;
        add_stored(&mut assembled, Stored { entries, problems: Vec::new() }, entry_limits, &stow);
    }
    assemble::merge(&mut assembled);
    timings.mark("assemble");
    let mut identified = identify::identify(assembled);
    if let Some(shard) = args.shard {
        // After identification, so lineage sees every model as one scan does; the shard's
        // models alone are classified, evaluated and reported (with every dataset in view, as
        // the MOF data components read them). Findings about no model (file problems,
        // configuration) are reported by every shard; `merge` keeps them once.
        identified.models.retain(|m| shard.contains(&m.evidence.id));
    }
    let clarifications = gate.config.as_ref().map_or(&[][..], |c| c.clarifications.as_slice());
    let raised = clarify::apply(&mut identified.models, clarifications, &gate.sink.rules, gate.sink.report_unused);
    timings.mark("identify");
    let digests = crate::hash::sha256_all(&weight_paths);
    if args.hash {
        timings.mark("hash");
    }
    Ok(Front { identified, raised, digests, stow })
}

/// Models classified, judged and made report entries at a time: enough to keep every core
/// busy, few enough that the parts in flight are a small share of a large scan's memory.
const PART: usize = 256;

/// Classifies, keeps the changed models in diff mode, evaluates and makes the report entries
/// `part` models at a time, handing each part's entries to `emit` in report order; then judges the
/// file problems and passes every finding through the sink. The report returned has every
/// section but its models.
fn tail(
    front: Front,
    args: &ScanArgs,
    gate: &Gate,
    timings: &mut Timings,
    part: usize,
    emit: &mut dyn FnMut(Vec<report::ModelReport>) -> io::Result<()>,
) -> io::Result<Report> {
    let Front { identified, raised, digests, stow } = front;
    let identify::Identification { models, mut datasets, mut problems } = identified;
    let licences = gate.config.as_ref().map(|c| c.licences.clone()).unwrap_or_default();
    let packs = gate.evaluated_packs();
    // Taken from the front a part at a time, without copying the rest: each part's memory goes
    // when the part is done.
    let mut models = std::collections::VecDeque::from(models);
    let classifier = classify::Classifier::new(&datasets);
    let mut findings = Vec::new();
    let mut tally = report::Tally::default();
    // Of two records with one id, the last one's hash is kept.
    let mut hashes = std::collections::HashMap::new();
    while !models.is_empty() {
        let started = std::time::Instant::now();
        let mut identified: Vec<_> = models.drain(..part.min(models.len())).collect();
        fetch_bodies(&stow, &mut identified)?;
        let mut assessed = classifier.classify(identified);
        timings.part("classify", started.elapsed());
        let started = std::time::Instant::now();
        if let Some(changed) = &gate.changed {
            assessed.retain(|m| changed.touches(m));
        }
        findings.extend(evaluate::model_findings(&assessed, &packs, &licences));
        hashes.extend(assessed.iter().map(|m| (m.identified.evidence.id.clone(), m.identified.licence_hash.clone())));
        timings.part("evaluate", started.elapsed());
        let started = std::time::Instant::now();
        let mut entries = report::model_reports(assessed);
        tally.add(&entries);
        if args.hash {
            hash_weights(&mut entries, &digests);
        }
        emit(entries)?;
        timings.part("report", started.elapsed());
    }
    drop(classifier);
    if let Some(shard) = args.shard {
        datasets.retain(|d| shard.contains(&d.evidence.id));
    }
    if let Some(changed) = &gate.changed {
        problems.retain(|p| changed.touches_problem(p));
    }
    findings.extend(evaluate::problem_findings(&problems, &packs));
    evaluate::sort(&mut findings);
    let limit_rule = evaluate::enabled_rules(&packs).into_iter().find(|r| r.id == "limit-exceeded");
    let findings = evaluate::per_file::cap(findings, gate.limits.findings_per_file, limit_rule);
    let mut sink_config = gate.sink.clone();
    sink_config.enabled = evaluate::enabled_rules(&packs).into_iter().map(|r| r.id.clone()).collect();
    sink_config.hashes = hashes;
    let mut sunk = sink::sink(findings, raised, &sink_config);
    // Messages and paths quote scanned files: each stays on its line, with no escapes, in
    // every format.
    for f in sunk.findings.iter_mut().chain(sunk.suppressed.iter_mut().map(|s| &mut s.finding)) {
        sanitize::one_line_mut(&mut f.message);
        f.file.as_mut().map(sanitize::one_line_mut);
        f.model.as_mut().map(sanitize::one_line_mut);
    }
    let head = head(args, gate);
    let mut report =
        Report::from_parts(Vec::new(), tally, &datasets, sunk.findings, head.policy).with_suppressed(sunk.suppressed);
    report.rules = evaluate::enabled_rules(&packs).into_iter().cloned().collect();
    report.config = head.config;
    report.shard = head.shard;
    report.scanned = head.scanned;
    timings.mark("assess");
    Ok(report)
}

/// Reads the stowed card bodies of these models back into memory.
fn fetch_bodies(stow: &Stow, models: &mut [crate::model::Identified]) -> io::Result<()> {
    use rayon::prelude::*;
    models.par_iter_mut().filter_map(|m| m.evidence.card.as_deref_mut()).try_for_each(|card| {
        stow.fetch(&mut card.body).map_err(|e| {
            let hint = "check the disk that holds TMPDIR, or point TMPDIR at another";
            io::Error::new(
                e.kind(),
                format!("cannot read the body of `{}` back from a temporary file: {e}; {hint}", card.file),
            )
        })
    })
}

/// What a report says before its models: the policy packs, the configuration file, the shard.
fn head(args: &ScanArgs, gate: &Gate) -> Report {
    let policy = gate.packs.iter().map(|p| p.name.clone()).collect();
    let mut report = Report::from_parts(Vec::new(), report::Tally::default(), &[], Vec::new(), policy);
    report.config = gate.config.as_ref().map(|c| c.file.clone());
    report.shard = args.shard;
    if args.shard.is_some() {
        report.scanned = scanned(args);
    }
    report
}

/// Weight files among artifacts: report path → where to open it.
fn weights_of(artifacts: &[crate::model::Artifact]) -> impl Iterator<Item = (String, PathBuf)> + '_ {
    artifacts
        .iter()
        .filter(|a| matches!(a.kind, crate::model::ArtifactKind::Weights(_)))
        .map(|a| (a.rel.clone(), a.path.clone()))
}

/// What was scanned, as the user named it, for the reports that say so.
fn scanned(args: &ScanArgs) -> Vec<String> {
    let mut out: Vec<String> = args.paths.iter().map(|p| display_path(p)).collect();
    let store = |flag: &str, dir: &Option<Option<PathBuf>>| {
        dir.as_ref().map(|d| d.as_ref().map_or_else(|| flag.to_string(), |d| format!("{flag} {}", display_path(d))))
    };
    out.extend(store("--hf-cache", &args.hf_cache));
    out.extend(store("--ollama", &args.ollama));
    out.extend(args.hub.iter().map(|h| format!("--hub {h}")));
    out.extend(args.hub_from.iter().map(|f| format!("--hub-from {}", display_path(f))));
    out.extend(args.inventory.iter().map(|f| format!("--inventory {}", display_path(f))));
    out
}

/// Sets the SHA-256 of every local weight file of these models (`--hash`); a file that could
/// not be read is named on standard error and left without a hash.
fn hash_weights(models: &mut [report::ModelReport], digests: &BTreeMap<String, Result<String, String>>) {
    for w in models.iter_mut().flat_map(|m| m.weights.iter_mut()) {
        match digests.get(&w.file) {
            Some(Ok(d)) => w.sha256 = Some(d.clone()),
            Some(Err(e)) => {
                let _ = writeln!(io::stderr(), "modelgate: warning: cannot hash `{}`: {e}", w.file);
            }
            None => {}
        }
    }
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

fn add_stored(assembled: &mut Assembled, stored: Stored, limits: Limits, stow: &Stow) {
    assembled.problems.extend(stored.problems);
    for entry in stored.entries {
        let parsed = parse::parse_all(&entry.artifacts, limits, stow);
        assemble::add_entry(assembled, entry, parsed);
    }
}

/// Reads the Hugging Face cache, the Ollama store and the Hub, as asked.
fn other_sources(args: &ScanArgs, limits: &InputLimits) -> Result<Vec<Stored>> {
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
        out.push(hub(args, limits)?);
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
fn hub(args: &ScanArgs, limits: &InputLimits) -> Result<Stored> {
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
    options.max_file_size = limits.file_size;
    if let Some(Some(dir)) = &args.hf_cache {
        options.hf_cache = Some(dir.clone());
    }
    Ok(hub::fetch(&requests, &options)?)
}

#[cfg(not(feature = "hub"))]
fn hub(_: &ScanArgs, _: &InputLimits) -> Result<Stored> {
    bail!(
        "--hub and --hub-from need the Hub client, which this build of modelgate leaves out (the `hub` cargo feature)"
    )
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

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;

    #[test]
    fn a_report_streamed_or_without_models_is_the_report_written_whole() {
        let examples = concat!(env!("CARGO_MANIFEST_DIR"), "/examples");
        let cards = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/corpus/modelcards");
        for root in [examples, cards] {
            let Command::Scan(args) = Cli::try_parse_from(["modelgate", "scan", root]).unwrap().command else {
                panic!("not a scan")
            };
            let args = args.with_default_root();
            let gate = Gate::from_args(&args).unwrap();
            let whole = build_gated_report(&args, &gate).unwrap();
            assert!(whole.models.len() > 7 && !whole.findings.is_empty(), "{root}: too small a test");
            for format in [Format::Json, Format::Jsonl] {
                let mut expected = Vec::new();
                report::write(&whole, format, &mut expected, RenderOptions::default()).unwrap();
                let mut streamed = Vec::new();
                let mut timings = Timings::from_env();
                let front = front(&args, &gate, &mut timings).unwrap();
                let mut stream = report::stream(format, &head(&args, &gate), &mut streamed).unwrap();
                let report = tail(front, &args, &gate, &mut timings, 7, &mut |m| stream.models(&m)).unwrap();
                stream.finish(&report).unwrap();
                assert!(report.models.is_empty(), "the models were written, not kept");
                assert!(
                    String::from_utf8_lossy(&streamed) == String::from_utf8_lossy(&expected),
                    "{root}, {format:?}: the streamed report differs"
                );
            }
            // The formats that show no model, rendered from a report that kept none.
            let mut timings = Timings::from_env();
            let front = front(&args, &gate, &mut timings).unwrap();
            let without = tail(front, &args, &gate, &mut timings, 7, &mut |_| Ok(())).unwrap();
            assert_eq!(without.summary.models, whole.models.len());
            for format in [Format::Sarif, Format::Github] {
                assert!(!report::shows_models(format));
                let render = |r: &Report| {
                    let mut out = Vec::new();
                    report::write(r, format, &mut out, RenderOptions::default()).unwrap();
                    String::from_utf8(out).unwrap()
                };
                assert!(render(&without) == render(&whole), "{root}, {format:?}: differs without the models");
            }
            // The terminal report, from models trimmed to what it shows.
            let mut trimmed = build_gated_report(&args, &gate).unwrap();
            trimmed.models.iter_mut().for_each(|m| report::trim_for(Format::Terminal, m));
            assert!(trimmed.models.iter().all(|m| m.card.is_none()), "{root}: nothing was trimmed");
            for quiet in [false, true] {
                let render = |r: &Report| {
                    let mut out = Vec::new();
                    let options = RenderOptions { quiet, ..RenderOptions::default() };
                    report::write(r, Format::Terminal, &mut out, options).unwrap();
                    String::from_utf8(out).unwrap()
                };
                assert!(render(&trimmed) == render(&whole), "{root}: the terminal report differs when trimmed");
            }
        }
    }
}
