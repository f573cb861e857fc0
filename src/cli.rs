//! Command-line flags, as close to what the user typed as possible. Turning them into a scan
//! is `app`'s job.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::{
    report::{Format, rules::RulesFormat},
    vocab::Severity,
};

/// Find the AI models a repository depends on: their licences, use restrictions, openness,
/// and the policies they break.
#[derive(Debug, Parser)]
#[command(name = "modelgate", version, about, long_about = None, max_term_width = 100)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Subcommands.
// One value per process: the size of `scan`'s many flags costs nothing worth a box.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Scan directories for models and report licences, openness and policy findings.
    Scan(ScanArgs),
    /// Explain the licences modelgate knows, and identify licence files.
    #[command(subcommand)]
    Licences(LicencesCommand),
    /// List the rules of the built-in packs, or show one rule's documentation.
    #[command(subcommand)]
    Rules(RulesCommand),
    /// Write a commented starter `modelgate.toml`.
    Init(InitArgs),
    /// Combine reports (JSON or JSON Lines) into one: the shards of a `scan --shard K/N`, or
    /// the scans of several repositories.
    Merge(MergeArgs),
}

/// `modelgate merge`.
#[derive(Debug, Args)]
pub struct MergeArgs {
    /// Reports written by `scan --format json` or `--format jsonl` (`-`: standard input).
    #[arg(required = true, value_name = "REPORT")]
    pub reports: Vec<PathBuf>,

    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value_t = Format::Terminal)]
    pub format: Format,

    /// Write the report to this file instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Exit with status 1 when a finding at or above this severity exists.
    #[arg(long, value_enum, default_value_t = FailOn::Error)]
    pub fail_on: FailOn,

    /// A rule pack file the reports were scanned with (`scan --policy FILE`): SARIF and the
    /// rule documentation take its rules' descriptions from it (built-in packs are known by
    /// name). Repeatable.
    #[arg(long = "policy", value_name = "FILE")]
    pub policies: Vec<String>,

    /// When to use colour in terminal output.
    #[arg(long, value_enum, default_value_t = ColourChoice::Auto, value_name = "WHEN")]
    pub color: ColourChoice,

    /// Terminal output: print findings and counts only, not the table of models.
    #[arg(long, short = 'q')]
    pub quiet: bool,

    /// SARIF and GitHub output: the scanned directory from the repository root (`examples/`
    /// when the shards scanned `examples`), so paths point into the repository.
    #[arg(long, value_name = "PREFIX")]
    pub path_prefix: Option<String>,

    /// `--format html`: a directory whose `report.html`, `report.css` or `report.js` replace
    /// the built-in ones.
    #[arg(long, value_name = "DIR")]
    pub template: Option<PathBuf>,
}

/// `modelgate licences …`.
#[derive(Debug, Subcommand)]
pub enum LicencesCommand {
    /// List every licence in the catalogue.
    List {
        /// Only licences of this category.
        #[arg(long, value_parser = category, value_name = "CATEGORY")]
        category: Option<crate::vocab::Category>,
        /// Output format.
        #[arg(long, short = 'f', value_enum, default_value_t = ListFormat::Terminal)]
        format: ListFormat,
    },
    /// Explain one licence in plain words: category, what it allows, restricts and requires.
    Show {
        /// A catalogue id, alias, SPDX id or licence name.
        id: String,
        /// Output format.
        #[arg(long, short = 'f', value_enum, default_value_t = ListFormat::Terminal)]
        format: ListFormat,
    },
    /// Identify the licences in files (like askalono's `identify`), with confidence, line range
    /// and the restrictions each states.
    Identify {
        /// Files to identify.
        #[arg(required = true, value_name = "FILE")]
        files: Vec<PathBuf>,
        /// Output format.
        #[arg(long, short = 'f', value_enum, default_value_t = ListFormat::Terminal)]
        format: ListFormat,
    },
    /// Resolve a free-text licence name ("Llama 2 Community License Agreement", "Apache 2.0")
    /// to a catalogue id.
    Resolve {
        /// Names to resolve.
        #[arg(required = true, value_name = "NAME")]
        names: Vec<String>,
        /// Output format.
        #[arg(long, short = 'f', value_enum, default_value_t = ListFormat::Terminal)]
        format: ListFormat,
    },
}

/// Output format of the `licences` commands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ListFormat {
    /// For people.
    Terminal,
    /// JSON.
    Json,
}

/// Parses a category word (`non-commercial`); the error lists the words.
fn category(word: &str) -> Result<crate::vocab::Category, String> {
    word.parse().map_err(|e: crate::vocab::UnknownWord| e.to_string())
}

/// `modelgate rules`.
#[derive(Debug, Subcommand)]
pub enum RulesCommand {
    /// One line per rule: id, pack, default severity, summary.
    List {
        /// Only the rules of this pack (a built-in name or a pack file).
        #[arg(long, value_name = "NAME|FILE")]
        pack: Option<String>,
        /// Output format.
        #[arg(long, short = 'f', value_enum, default_value_t = RulesFormat::Terminal)]
        format: RulesFormat,
    },
    /// A rule's documentation: what it flags, its condition, message, remediation and docs link.
    Show {
        /// Rule id.
        id: String,
        /// Look in this pack file too (rules of built-in packs are always known).
        #[arg(long, value_name = "FILE")]
        pack: Option<String>,
        /// Output format.
        #[arg(long, short = 'f', value_enum, default_value_t = RulesFormat::Terminal)]
        format: RulesFormat,
    },
}

/// `modelgate init`.
#[derive(Debug, Args)]
pub struct InitArgs {
    /// Directory to write `modelgate.toml` in.
    #[arg(default_value = ".", value_name = "DIR")]
    pub dir: PathBuf,
    /// Overwrite an existing `modelgate.toml`.
    #[arg(long)]
    pub force: bool,
}

/// `modelgate scan`.
#[derive(Clone, Debug, Args)]
pub struct ScanArgs {
    /// Directories to scan (default: `.`, unless `--hf-cache`, `--ollama`, `--hub`, `--hub-from`
    /// or `--inventory` is given).
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,

    /// Read Model Openness Tool model files (a `*.yml` file, or every `*.yml`/`*.yaml` under a
    /// directory) instead of scanning directories: one model per file, evaluated like a scan.
    #[arg(long, value_name = "FILE|DIR", conflicts_with = "paths")]
    pub mof: Option<PathBuf>,

    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value_t = Format::Terminal)]
    pub format: Format,

    /// Write the report to this file instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Exit with status 1 when a finding at or above this severity exists [default: error, or
    /// the configuration's `fail-on`].
    #[arg(long, value_enum)]
    pub fail_on: Option<FailOn>,

    /// Policy pack to apply: a built-in name or a pack file (repeatable; replaces the
    /// configuration's `packs`) [default: default].
    #[arg(long = "policy", value_name = "NAME|FILE")]
    pub policies: Vec<String>,

    /// Configuration file [default: modelgate.toml in the scanned directory].
    #[arg(long, value_name = "FILE", conflicts_with = "no_config")]
    pub config: Option<PathBuf>,

    /// Ignore any modelgate.toml.
    #[arg(long)]
    pub no_config: bool,

    /// Do not count findings recorded in this baseline file.
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,

    /// Record the scan's findings in this baseline file.
    #[arg(long, value_name = "FILE")]
    pub write_baseline: Option<PathBuf>,

    /// Only report models with files changed since this git revision (and uncommitted changes).
    #[arg(long, value_name = "REV")]
    pub since: Option<String>,

    /// Only report models with files listed in this file, one path per line relative to the
    /// scanned directory (`-`: standard input).
    #[arg(long, value_name = "FILE")]
    pub paths_file: Option<PathBuf>,

    /// Also scan hidden files and directories (`.git` is always skipped).
    #[arg(long)]
    pub hidden: bool,

    /// Do not honour `.gitignore` and `.ignore` files.
    #[arg(long)]
    pub no_ignore: bool,

    /// Follow symbolic links (never out of the scanned directory; loops are detected).
    #[arg(long)]
    pub follow_symlinks: bool,

    /// Largest text file (card, licence, config) read, in bytes (`k`, `M`, `G` suffixes);
    /// longer ones are read in part and reported. The same as `--limit file-size=BYTES`
    /// [default: 10M].
    #[arg(long, value_name = "BYTES", value_parser = crate::limits::parse_value)]
    pub max_file_size: Option<u64>,

    /// Set an input limit (repeatable): file-size, front-matter, yaml-depth, yaml-aliases,
    /// line-length, findings-per-file, weight-header, pickle-opcodes, zip-members, zip-ratio.
    /// Overrides the configuration's `[limits]`; see README "Limits" for the defaults.
    #[arg(long = "limit", value_name = "NAME=VALUE")]
    pub limits: Vec<crate::limits::LimitSetting>,

    /// Worker threads (0: one per core).
    #[arg(long, short = 'j', value_name = "N", default_value_t = 0)]
    pub threads: usize,

    /// When to use colour in terminal output.
    #[arg(long, value_enum, default_value_t = ColourChoice::Auto, value_name = "WHEN")]
    pub color: ColourChoice,

    /// Terminal output: print findings and counts only, not the table of models.
    #[arg(long, short = 'q')]
    pub quiet: bool,

    /// Also read a Hugging Face cache: every model and dataset snapshot (default directory:
    /// HF_HUB_CACHE, else HF_HOME/hub, else ~/.cache/huggingface/hub). Put PATHs before it, or
    /// write `--hf-cache=DIR`.
    #[arg(long, value_name = "DIR", num_args = 0..=1)]
    pub hf_cache: Option<Option<PathBuf>>,

    /// Also read an Ollama store: every model manifest (default directory: OLLAMA_MODELS, else
    /// ~/.ollama/models).
    #[arg(long, value_name = "DIR", num_args = 0..=1)]
    pub ollama: Option<Option<PathBuf>>,

    /// Fetch these repositories from the Hugging Face Hub API (`owner/name`,
    /// `owner/name@revision`, `datasets/owner/name`; repeatable or comma-separated). Honours
    /// HF_ENDPOINT, HF_TOKEN and HF_HUB_OFFLINE.
    #[arg(long, value_name = "ID", num_args = 1.., value_delimiter = ',')]
    pub hub: Vec<String>,

    /// Fetch from the Hub every repository a file lists (a plain list, CSV or JSON, as for
    /// `--inventory`).
    #[arg(long, value_name = "FILE")]
    pub hub_from: Vec<PathBuf>,

    /// Where Hub answers are cached (default: XDG_CACHE_HOME/modelgate/hub, else
    /// ~/.cache/modelgate/hub).
    #[arg(long, value_name = "DIR")]
    pub hub_cache_dir: Option<PathBuf>,

    /// Ask the Hub again even for answers cached less than a day ago.
    #[arg(long)]
    pub hub_refresh: bool,

    /// Timeout of one Hub request, in seconds.
    #[arg(long, value_name = "SECS", default_value_t = 30)]
    pub hub_timeout: u64,

    /// How many times a Hub request answered 429 or 5xx is retried (with backoff, or after the
    /// server's Retry-After).
    #[arg(long, value_name = "N", default_value_t = 4)]
    pub hub_retries: u32,

    /// An inventory of the models a team uses (CSV, JSON or a plain list; repeatable): each is
    /// matched with what the other sources found, else judged from the catalogue, and its
    /// columns (team, region …) are kept in the report.
    #[arg(long, value_name = "FILE")]
    pub inventory: Vec<PathBuf>,

    /// Do not read code and configuration for the models they name.
    #[arg(long)]
    pub no_code_references: bool,

    /// Report only part K of N of the models (a stable partition by id); `modelgate merge`
    /// combines the N parts into the report one scan gives.
    #[arg(long, value_name = "K/N")]
    pub shard: Option<crate::shard::Shard>,

    /// Hash every local weight file whole (SHA-256): CycloneDX and SPDX hashes, `sha256` in the
    /// JSON report. Reads every byte of every weight file (streamed, bounded memory).
    #[arg(long)]
    pub hash: bool,

    /// `--format html`: a directory whose `report.html`, `report.css` or `report.js` replace
    /// the built-in ones (minijinja templates; values from scanned files are escaped).
    #[arg(long, value_name = "DIR")]
    pub template: Option<PathBuf>,
}

impl ScanArgs {
    /// The arguments with `.` as the directory to walk when none is given and no other source
    /// is either.
    pub fn with_default_root(&self) -> ScanArgs {
        let mut args = self.clone();
        if args.paths.is_empty() && !args.other_sources() {
            args.paths.push(PathBuf::from("."));
        }
        args
    }

    /// Whether a source other than directories to walk is given.
    pub fn other_sources(&self) -> bool {
        self.hf_cache.is_some()
            || self.mof.is_some()
            || self.ollama.is_some()
            || !self.hub.is_empty()
            || !self.hub_from.is_empty()
            || !self.inventory.is_empty()
    }
}

/// The severity threshold of `--fail-on`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    /// Fail on errors.
    Error,
    /// Fail on warnings and errors.
    Warning,
    /// Fail on any finding.
    Note,
    /// Never fail because of findings.
    Never,
}

impl FailOn {
    /// The lowest severity that fails the run.
    pub fn threshold(self) -> Option<Severity> {
        match self {
            FailOn::Error => Some(Severity::Error),
            FailOn::Warning => Some(Severity::Warning),
            FailOn::Note => Some(Severity::Note),
            FailOn::Never => None,
        }
    }
}

/// `--color`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ColourChoice {
    /// Colour when writing to a terminal and `NO_COLOR` is not set.
    Auto,
    /// Always.
    Always,
    /// Never.
    Never,
}
