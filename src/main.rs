//! The `modelgate` binary: parse flags, run, exit.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    modelgate::app::run(modelgate::cli::Cli::parse())
}
