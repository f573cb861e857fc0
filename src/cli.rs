//! Command-line flags, as close to what the user typed as possible. Turning them into a scan
//! is `app`'s job.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::{report::Format, vocab::Severity};

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
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Scan directories for models and report licences, openness and policy findings.
    Scan(ScanArgs),
    /// Explain the licences modelgate knows, and identify licence files.
    #[command(subcommand)]
    Licences(LicencesCommand),
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

/// `modelgate scan`.
#[derive(Debug, Args)]
pub struct ScanArgs {
    /// Directories to scan.
    #[arg(default_value = ".", value_name = "PATH")]
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

    /// Exit with status 1 when a finding at or above this severity exists.
    #[arg(long, value_enum, default_value_t = FailOn::Error)]
    pub fail_on: FailOn,

    /// Built-in policy pack to apply (repeatable).
    #[arg(long = "policy", value_name = "NAME", default_value = "default")]
    pub policies: Vec<String>,

    /// Also scan hidden files and directories (`.git` is always skipped).
    #[arg(long)]
    pub hidden: bool,

    /// Do not honour `.gitignore` and `.ignore` files.
    #[arg(long)]
    pub no_ignore: bool,

    /// Follow symbolic links (never out of the scanned directory; loops are detected).
    #[arg(long)]
    pub follow_symlinks: bool,

    /// Largest text file (card, licence, config) read, in bytes; longer ones are read in part
    /// and reported.
    #[arg(long, value_name = "BYTES", default_value_t = 10 * 1024 * 1024)]
    pub max_file_size: u64,

    /// Worker threads (0: one per core).
    #[arg(long, short = 'j', value_name = "N", default_value_t = 0)]
    pub threads: usize,

    /// When to use colour in terminal output.
    #[arg(long, value_enum, default_value_t = ColourChoice::Auto, value_name = "WHEN")]
    pub color: ColourChoice,

    /// Terminal output: print findings and counts only, not the table of models.
    #[arg(long, short = 'q')]
    pub quiet: bool,
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
