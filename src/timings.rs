//! `MODELGATE_TIMINGS=1`: the time each stage of a scan took and the peak memory so far, on
//! standard error, for the benchmark and for profiling (README, "Performance"). Silent otherwise.

use std::{
    io::Write,
    time::{Duration, Instant},
};

/// Stage marks of one run.
pub struct Timings {
    on: bool,
    start: Instant,
    last: Instant,
    last_cpu: f64,
    /// Time spent in the stages that take the models a part at a time, in first-seen order.
    parts: Vec<(&'static str, Duration)>,
}

impl Timings {
    /// On when `MODELGATE_TIMINGS` is set to anything but empty or `0`.
    pub fn from_env() -> Timings {
        let on = std::env::var_os("MODELGATE_TIMINGS").is_some_and(|v| !v.is_empty() && v != "0");
        let now = Instant::now();
        Timings { on, start: now, last: now, last_cpu: cpu_seconds().unwrap_or(0.0), parts: Vec::new() }
    }

    /// Adds `took` to the time of `stage`, one of the stages a mark spans when they take turns
    /// on parts of the models (classify, evaluate, report); the next mark prints their totals.
    pub fn part(&mut self, stage: &'static str, took: Duration) {
        if !self.on {
            return;
        }
        match self.parts.iter_mut().find(|(s, _)| *s == stage) {
            Some((_, total)) => *total += took,
            None => self.parts.push((stage, took)),
        }
    }

    /// Notes that `stage` has ended.
    pub fn mark(&mut self, stage: &str) {
        if !self.on {
            return;
        }
        for (part, took) in std::mem::take(&mut self.parts) {
            let _ = writeln!(
                std::io::stderr(),
                "modelgate: timings: {part:<10} {:>7.3} s (part of {stage})",
                took.as_secs_f64()
            );
        }
        let now = Instant::now();
        let peak = peak_rss_mib().map(|m| format!(", peak RSS {m} MiB")).unwrap_or_default();
        let cpu = cpu_seconds();
        let used = cpu.map(|c| format!(", {:.2} s CPU", c - self.last_cpu)).unwrap_or_default();
        let _ = writeln!(
            std::io::stderr(),
            "modelgate: timings: {stage:<10} {:>7.3} s{used} (at {:.3} s{peak})",
            (now - self.last).as_secs_f64(),
            (now - self.start).as_secs_f64()
        );
        self.last = now;
        self.last_cpu = cpu.unwrap_or(self.last_cpu);
    }
}

/// The process's peak resident set so far, where the system says (Linux).
fn peak_rss_mib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024)
}

/// User plus system CPU time of the process so far, where the system says (Linux; clock ticks
/// taken as the usual 100 per second).
fn cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the command name, which is in parentheses and may hold spaces.
    let rest = &stat[stat.rfind(')')? + 2..];
    let mut fields = rest.split_whitespace().skip(11);
    let user: u64 = fields.next()?.parse().ok()?;
    let system: u64 = fields.next()?.parse().ok()?;
    Some((user + system) as f64 / 100.0)
}
