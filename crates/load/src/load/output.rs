//! A load run's files in its run directory ([`RunDir`], shared with the conformance
//! suite): `summary.json`, `summary.md`, `junit.xml`, `report.html`, the interval logs
//! under `hdr/`, Goose's reports alongside. Every file is written atomically; [`read`]
//! loads a directory back for merging or rendering again.

use std::path::Path;

use super::hlog::{self, Entry};
use super::render;
use super::summary::Summary;
use onshi_report::report::{RunDir, RunDirError};

/// The subdirectory of the interval logs.
pub const HDR_DIR: &str = "hdr";

/// Why a load run's files could not be written or read back.
#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    /// The run directory.
    #[error(transparent)]
    Dir(#[from] RunDirError),
    /// An interval log could not be encoded.
    #[error("{name}: {source}")]
    Encode {
        /// The log's name in the run directory.
        name: String,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// An interval log could not be decoded.
    #[error("{}: {message}", path.display())]
    Decode {
        /// The log.
        path: std::path::PathBuf,
        /// What is wrong with it.
        message: String,
    },
}

/// Removes the empty files of a run directory: what Goose opened for its own reports
/// but never wrote, when a signal abandoned the attack before Goose finished.
pub fn remove_empty_files(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        if e.metadata().is_ok_and(|m| m.is_file() && m.len() == 0) {
            let _ = std::fs::remove_file(e.path());
        }
    }
}

/// The interval-log file name of a shard (relative to the run directory).
pub fn hdr_log_name(shard: super::facility::Shard) -> String {
    format!("{HDR_DIR}/shard-{}-of-{}.hlog", shard.index, shard.count)
}

/// Writes the summary and its renderings.
pub fn write_summary(dir: &RunDir, s: &Summary) -> Result<(), OutputError> {
    dir.write_json("summary.json", s)?;
    dir.render("summary.md", |out| render::markdown(s, out))?;
    dir.render("junit.xml", |out| render::junit(s, out))?;
    dir.render("report.html", |out| render::html(s, out))?;
    Ok(())
}

/// Writes one interval log (`name` relative to the run directory, e.g.
/// [`hdr_log_name`]).
pub fn write_log(
    dir: &RunDir,
    name: &str,
    base: std::time::SystemTime,
    comments: &[String],
    entries: &[Entry],
) -> Result<(), OutputError> {
    let bytes = hlog::write(base, comments, entries).map_err(|source| OutputError::Encode {
        name: name.to_owned(),
        source,
    })?;
    dir.write(name, &bytes)?;
    Ok(())
}

/// A load run's directory read back.
#[derive(Debug)]
pub struct LoadRun {
    /// The directory.
    pub dir: RunDir,
    /// Its summary.
    pub summary: Summary,
    /// Its interval logs: (relative name, raw bytes, entries).
    pub logs: Vec<(String, Vec<u8>, Vec<Entry>)>,
}

/// Reads `dir/summary.json` and every interval log its shards name.
pub fn read(dir: &Path) -> Result<LoadRun, OutputError> {
    let dir = RunDir::open(dir)?;
    let summary: Summary = dir.read_json("summary.json")?;
    let mut logs = Vec::new();
    for s in &summary.meta.shards {
        let raw = dir.read(&s.hdr_log)?;
        let entries = hlog::read(&raw).map_err(|e| OutputError::Decode {
            path: dir.path().join(&s.hdr_log),
            message: e.to_string(),
        })?;
        logs.push((s.hdr_log.clone(), raw, entries));
    }
    Ok(LoadRun { dir, summary, logs })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::facility::Shard;

    #[test]
    fn a_run_directory_round_trips() {
        let root = tempfile::tempdir().unwrap();
        let dir = RunDir::create(root.path(), "load-20261130-090000-s7").unwrap();
        let mut s = render::tests::sample();
        s.meta.shards[0].hdr_log = hdr_log_name(Shard { index: 0, count: 1 });
        let mut h = hlog::histogram();
        h.record(1234).unwrap();
        let entries = vec![Entry::new(
            std::time::Duration::from_millis(3),
            std::time::Duration::from_secs(1),
            "response.visit",
            &h,
        )];
        write_log(
            &dir,
            &s.meta.shards[0].hdr_log,
            std::time::SystemTime::UNIX_EPOCH,
            &["c".to_owned()],
            &entries,
        )
        .unwrap();
        write_summary(&dir, &s).unwrap();
        assert_eq!(
            dir.files().unwrap(),
            [
                "hdr/shard-0-of-1.hlog",
                "junit.xml",
                "report.html",
                "summary.json",
                "summary.md"
            ]
        );
        let back = read(dir.path()).unwrap();
        assert_eq!(back.summary, s);
        assert_eq!(back.dir, dir);
        assert_eq!(back.logs.len(), 1);
        assert_eq!(back.logs[0].0, "hdr/shard-0-of-1.hlog");
        assert_eq!(back.logs[0].2.len(), 1);
        assert_eq!(
            String::from_utf8(dir.read("junit.xml").unwrap()).unwrap(),
            render::tests::EXPECTED
        );
    }

    #[test]
    fn a_missing_log_names_its_path() {
        let root = tempfile::tempdir().unwrap();
        let dir = RunDir::create(root.path(), "r").unwrap();
        write_summary(&dir, &render::tests::sample()).unwrap();
        let err = read(dir.path()).unwrap_err().to_string();
        assert!(err.contains("hdr/shard-0-of-1.hlog"), "{err}");
    }
}
