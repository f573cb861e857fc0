//! The `modelgate` binary: parse flags, run, exit.

use std::process::ExitCode;

use clap::Parser;

// glibc's allocator spent a tenth of a 50,000-card scan in malloc and free and, with one arena
// per thread, kept freed memory resident; mimalloc does neither.
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    modelgate::app::run(modelgate::cli::Cli::parse())
}
