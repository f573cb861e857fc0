//! The `modelgate` binary: parse flags, run, exit.

use std::process::ExitCode;

use clap::Parser;

// glibc's allocator spent a tenth of a 50,000-card scan in malloc and free and, with one arena
// per thread, kept freed memory resident; mimalloc does neither. Built without its request for
// transparent huge pages (`no_thp`): each first touch of a 2 MiB page had the kernel zero all of
// it, an eighth of the CPU of a 100,000-file scan whose peak is 140 MB.
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// `mi_option_purge_delay` in mimalloc 3's `mi_option_e` (the crate names options by mimalloc 2's
/// numbering, which has no such constant); the test below checks it against its default.
const PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

fn main() -> ExitCode {
    // Memory freed is given back to the system after 25 ms instead of a second: each stage of
    // a large scan frees much of what the one before built, and 50,000 cards peaked at
    // 265-285 MB with a second's delay, 200-210 MB with 100 ms and 175-180 MB with 25 ms, for
    // 0.2-0.4 s more system time (tree (a) measured the same either way).
    // `MIMALLOC_PURGE_DELAY` still decides when set.
    if std::env::var_os("MIMALLOC_PURGE_DELAY").is_none() {
        // SAFETY: sets an integer option; mimalloc reads options atomically.
        unsafe { libmimalloc_sys::mi_option_set(PURGE_DELAY, 25) };
    }
    modelgate::app::run(modelgate::cli::Cli::parse())
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_purge_delay_option_is_the_one_that_defaults_to_a_second() {
        // SAFETY: reads an integer option.
        let value = unsafe { libmimalloc_sys::mi_option_get(super::PURGE_DELAY) };
        // 1000 ms unless MIMALLOC_PURGE_DELAY says otherwise.
        let expected = std::env::var("MIMALLOC_PURGE_DELAY").ok().and_then(|v| v.parse().ok()).unwrap_or(1000);
        assert_eq!(value, expected);
    }
}
