//! Facts about the machine and this process that make two runs comparable: cores, load, the
//! commit, and the process's own CPU time and peak memory (read from `/proc`, Linux only; other
//! systems get zeros and `None`s, never invented figures).

use std::path::Path;
use std::process::Command;

use serde::Serialize;

/// The machine a run was measured on.
#[derive(Debug, Clone, Serialize)]
pub struct Machine {
    pub cores: usize,
    pub cpu: Option<String>,
    /// 1, 5 and 15 minute load averages when the run started and when it ended: with 2 cores, a
    /// load above 2 means other programs took turns with the benchmark and wall times stretch.
    pub load_start: Option<[f64; 3]>,
    pub load_end: Option<[f64; 3]>,
    pub git_commit: Option<String>,
    /// Uncommitted changes in the working tree (the figures are of that tree, not the commit).
    pub git_dirty: Option<bool>,
}

impl Machine {
    /// Reads everything but `load_end`, which [`Machine::finish`] fills in.
    pub fn probe(workspace: &Path) -> Machine {
        let git = |args: &[&str]| {
            Command::new("git")
                .args(args)
                .current_dir(workspace)
                .output()
                .ok()
                .filter(|o| o.status.success())
                .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        };
        Machine {
            cores: std::thread::available_parallelism().map_or(1, |n| n.get()),
            cpu: std::fs::read_to_string("/proc/cpuinfo").ok().and_then(|s| {
                s.lines()
                    .find(|l| l.starts_with("model name"))
                    .and_then(|l| l.split_once(':'))
                    .map(|(_, v)| v.trim().to_owned())
            }),
            load_start: load_average(),
            load_end: None,
            git_commit: git(&["rev-parse", "HEAD"]),
            git_dirty: git(&["status", "--porcelain", "--untracked-files=no"])
                .map(|s| !s.is_empty()),
        }
    }

    pub fn finish(&mut self) {
        self.load_end = load_average();
    }
}

fn load_average() -> Option<[f64; 3]> {
    let text = std::fs::read_to_string("/proc/loadavg").ok()?;
    let mut it = text.split_whitespace().map(|v| v.parse::<f64>().ok());
    Some([it.next()??, it.next()??, it.next()??])
}

/// CPU time (user + system) of the whole process so far, from `/proc/self/stat`. Unlike wall
/// time it barely moves when other programs share the cores, so it is the figure to compare.
pub fn cpu_secs() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let Some(end) = stat.rfind(')') else {
        return 0.0;
    };
    // utime and stime are fields 14 and 15; the fields after the command name start at 3.
    let ticks: f64 = stat[end + 2..]
        .split_whitespace()
        .skip(11)
        .take(2)
        .filter_map(|v| v.parse::<f64>().ok())
        .sum();
    // USER_HZ is 100 on every Linux this runs on.
    ticks / 100.0
}

/// A `/proc/self/status` figure in MiB (`VmHWM:` is the peak resident set, `VmRSS:` the current).
pub fn status_mib(field: &str) -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let kib: f64 = status
        .lines()
        .find(|l| l.starts_with(field))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()?;
    Some(kib / 1024.0)
}

/// Peak resident memory of the process since the last [`reset_peak_rss`], in MiB.
pub fn peak_rss_mib() -> Option<f64> {
    status_mib("VmHWM:")
}

/// Starts a new peak-memory window, so that a section's peak is its own and not an earlier
/// section's (writing 5 to `clear_refs` resets VmHWM to the current RSS). Returns false when
/// the kernel refused, in which case peaks are since the process started.
pub fn reset_peak_rss() -> bool {
    std::fs::write("/proc/self/clear_refs", "5").is_ok()
}
