//! The `modelgate` binary: parse flags, run, exit.

use std::process::ExitCode;

use clap::Parser;

// glibc's allocator spent a tenth of a 50,000-card scan in malloc and free and, with one arena
// per thread, kept freed memory resident; mimalloc does neither. Built without its request for
// transparent huge pages (`no_thp`): each first touch of a 2 MiB page had the kernel zero all of
// it, an eighth of the CPU of a 100,000-file scan whose peak is 140 MB.
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    modelgate::app::run(modelgate::cli::Cli::parse())
}
