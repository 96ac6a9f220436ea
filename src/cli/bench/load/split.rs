//! Split mode of `onshi bench load`: the reference backend runs in processes of its
//! own (`onshi serve`) pinned to CPUs of their own, the generator on the others, so
//! the CPU this process uses is the generator's alone and the backend's is read from
//! its process — each figure says which process paid.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use super::super::super::common::CliError;
use super::LoadBenchArgs;

/// The CPUs of each side.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Cpus {
    /// The generator's (this process).
    pub(crate) generator: Vec<usize>,
    /// The backend's (its processes).
    pub(crate) backend: Vec<usize>,
}

impl Cpus {
    /// The CPUs this process may use, the first half (rounded up) for the generator
    /// and the rest for the backend; at least two are needed.
    pub(crate) fn split() -> Result<Self, CliError> {
        let all = allowed_cpus()?;
        if all.len() < 2 {
            return Err(CliError::input(format!(
                "--split needs at least two CPUs; this process may use {:?}",
                all
            )));
        }
        let half = all.len().div_ceil(2);
        Ok(Self {
            generator: all[..half].to_vec(),
            backend: all[half..].to_vec(),
        })
    }
}

/// The CPUs this process may run on (its affinity mask).
fn allowed_cpus() -> Result<Vec<usize>, CliError> {
    // SAFETY: an all-zero cpu_set_t is the empty set, a valid value.
    let mut set: libc::cpu_set_t = unsafe { std::mem::zeroed() };
    // SAFETY: pid 0 is this thread; the size and pointer are those of a live set.
    let rc =
        unsafe { libc::sched_getaffinity(0, std::mem::size_of::<libc::cpu_set_t>(), &mut set) };
    if rc != 0 {
        return Err(CliError::failed(format!(
            "sched_getaffinity: {}",
            std::io::Error::last_os_error()
        )));
    }
    Ok((0..libc::CPU_SETSIZE as usize)
        // SAFETY: CPU_ISSET reads a bit of a live set, cpu < CPU_SETSIZE.
        .filter(|&c| unsafe { libc::CPU_ISSET(c, &set) })
        .collect())
}

/// Pins the calling thread (and the threads it starts later) to `cpus`.
pub(crate) fn pin_current_thread(cpus: &[usize]) -> std::io::Result<()> {
    // SAFETY: an all-zero cpu_set_t is the empty set, a valid value.
    let mut set: libc::cpu_set_t = unsafe { std::mem::zeroed() };
    for &c in cpus {
        // SAFETY: CPU_SET writes a bit of a live set; c < CPU_SETSIZE (from the mask).
        unsafe { libc::CPU_SET(c, &mut set) };
    }
    // SAFETY: pid 0 is this thread; the size and pointer are those of a live set.
    let rc = unsafe { libc::sched_setaffinity(0, std::mem::size_of::<libc::cpu_set_t>(), &set) };
    if rc == 0 {
        Ok(())
    } else {
        Err(std::io::Error::last_os_error())
    }
}

/// Makes a child start pinned to `cpus`.
pub(crate) fn pinned(cmd: &mut Command, cpus: Vec<usize>) {
    use std::os::unix::process::CommandExt;
    // SAFETY: the closure runs between fork and exec and calls only
    // sched_setaffinity (async-signal-safe) on memory prepared before the fork.
    unsafe {
        cmd.pre_exec(move || pin_current_thread(&cpus));
    }
}

/// Makes a child get SIGTERM when this process dies, however it dies (a benchmark
/// killed or ended by a broken pipe leaves no `onshi serve` or `onshi load` behind).
pub(crate) fn dies_with_parent(cmd: &mut Command) {
    use std::os::unix::process::CommandExt;
    // SAFETY: the closure runs between fork and exec and calls only prctl
    // (async-signal-safe) with constant arguments.
    unsafe {
        cmd.pre_exec(|| {
            if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGTERM) == 0 {
                Ok(())
            } else {
                Err(std::io::Error::last_os_error())
            }
        });
    }
}

/// CPU time (user + system) a process has used so far, from `/proc/<pid>/stat`.
pub(crate) fn process_cpu_of(pid: u32) -> Option<Duration> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name may hold spaces; the fields after its closing parenthesis
    // start with the state (field 3); utime and stime are fields 14 and 15.
    let rest = stat.rsplit_once(')')?.1;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let utime: u64 = fields.get(11)?.parse().ok()?;
    let stime: u64 = fields.get(12)?.parse().ok()?;
    // SAFETY: sysconf has no memory-safety preconditions.
    let hz = unsafe { libc::sysconf(libc::_SC_CLK_TCK) };
    let hz = u64::try_from(hz).ok().filter(|h| *h > 0)?;
    Some(Duration::from_micros((utime + stime) * 1_000_000 / hz))
}

/// Sends this process's standard output to standard error until dropped: Goose prints
/// "All N users launched." to stdout whatever its verbosity, which would break the
/// benchmark's `--json` output.
pub(crate) struct StdoutToStderr {
    saved: Option<libc::c_int>,
}

impl StdoutToStderr {
    /// Starts the redirection (a no-op where the descriptors cannot be duplicated).
    pub(crate) fn start() -> Self {
        use std::io::Write as _;
        let _ = std::io::stdout().flush();
        // SAFETY: dup and dup2 on the process's own standard descriptors.
        let saved = unsafe { libc::dup(1) };
        if saved < 0 {
            return Self { saved: None };
        }
        // SAFETY: as above; fd 2 is open for the life of the process.
        if unsafe { libc::dup2(2, 1) } < 0 {
            // SAFETY: closing the duplicate made above.
            unsafe { libc::close(saved) };
            return Self { saved: None };
        }
        Self { saved: Some(saved) }
    }
}

impl Drop for StdoutToStderr {
    fn drop(&mut self) {
        use std::io::Write as _;
        if let Some(fd) = self.saved.take() {
            let _ = std::io::stdout().flush();
            // SAFETY: restoring fd 1 from the duplicate made in `start`, then closing it.
            unsafe {
                libc::dup2(fd, 1);
                libc::close(fd);
            }
        }
    }
}

/// A reference backend in a process of its own, stopped when dropped.
pub(crate) struct BackendProcess {
    child: Child,
    /// Its base URL.
    pub(crate) url: String,
}

impl BackendProcess {
    /// Starts `onshi serve` on an ephemeral loopback port with the bench's population,
    /// challenges valid for 600 s (the raw baseline reuses one), `defects`, pinned to
    /// `cpus` when given.
    pub(crate) fn start(
        args: &LoadBenchArgs,
        defects: &[&str],
        cpus: Option<&[usize]>,
    ) -> Result<Self, CliError> {
        let exe = std::env::current_exe().map_err(|e| CliError::failed(e.to_string()))?;
        let mut cmd = Command::new(exe);
        cmd.args(["serve", "--listen", "127.0.0.1:0", "--challenge-ttl", "600"])
            .args(population_args(args));
        for d in defects {
            cmd.args(["--defect", d]);
        }
        cmd.stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        if let Some(c) = cpus {
            pinned(&mut cmd, c.to_vec());
        }
        dies_with_parent(&mut cmd);
        let mut child = cmd
            .spawn()
            .map_err(|e| CliError::failed(format!("starting onshi serve: {e}")))?;
        let Some(stderr) = child.stderr.take() else {
            let _ = child.kill();
            return Err(CliError::failed("onshi serve: no stderr"));
        };
        let mut lines = BufReader::new(stderr).lines();
        let url = loop {
            match lines.next() {
                Some(Ok(line)) => {
                    if let Some(rest) = line.strip_prefix("onshi serve: ")
                        && let Some(addr) = rest.split_whitespace().next()
                        && addr.starts_with("http")
                    {
                        break addr.trim_end_matches("/v1").to_owned();
                    }
                }
                _ => {
                    let _ = child.kill();
                    let _ = child.wait();
                    return Err(CliError::failed(
                        "onshi serve ended before printing its address",
                    ));
                }
            }
        };
        // Keep draining stderr so the server never blocks on a full pipe.
        std::thread::spawn(move || lines.for_each(drop));
        Ok(Self { child, url })
    }

    /// CPU time the backend has used so far.
    pub(crate) fn cpu(&self) -> Duration {
        process_cpu_of(self.child.id()).unwrap_or_default()
    }
}

impl Drop for BackendProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The population flags of a child (`onshi serve`, `onshi load`) that must build the
/// bench's population.
pub(crate) fn population_args(args: &LoadBenchArgs) -> Vec<String> {
    let p = &args.population;
    let mut out = vec![
        "--size".to_owned(),
        p.size.to_string(),
        "--seed".to_owned(),
        p.world.seed.to_string(),
        "--as-of".to_owned(),
        p.world.as_of().format("%Y-%m-%dT%H:%M:%S").to_string(),
    ];
    if let Some(c) = &p.world.cards {
        out.push("--cards".to_owned());
        out.push(c.display().to_string());
    }
    if let Some(k) = &p.world.key_cache {
        out.push("--key-cache".to_owned());
        out.push(k.display().to_string());
    }
    if p.world.no_key_cache {
        out.push("--no-key-cache".to_owned());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn this_process_has_cpus_and_cpu_time() {
        let cpus = allowed_cpus().unwrap();
        assert!(!cpus.is_empty());
        let spent = process_cpu_of(std::process::id()).unwrap();
        // Burn a little so the clock has something to show.
        let mut x = 0u64;
        let t = std::time::Instant::now();
        while t.elapsed() < Duration::from_millis(50) {
            x = std::hint::black_box(x.wrapping_mul(31).wrapping_add(7));
        }
        assert!(process_cpu_of(std::process::id()).unwrap() >= spent);
        assert!(process_cpu_of(u32::MAX).is_none());
    }

    #[test]
    fn a_thread_can_be_pinned() {
        let cpus = allowed_cpus().unwrap();
        let first = cpus[0];
        std::thread::spawn(move || {
            pin_current_thread(&[first]).unwrap();
            assert_eq!(allowed_cpus().unwrap(), vec![first]);
        })
        .join()
        .unwrap();
    }
}
