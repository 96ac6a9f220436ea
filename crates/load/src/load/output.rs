//! The run directory: `summary.json`, `summary.md`, `junit.xml`, `report.html`, the
//! interval logs under `hdr/`, Goose's reports alongside. Every file is written
//! atomically; [`read`] loads a directory back for merging.

use std::path::{Path, PathBuf};

use super::hlog::{self, Entry};
use super::render;
use super::summary::Summary;
use onshi_support::fsutil::write_atomic;

/// The interval-log file name of a shard.
pub fn hdr_log_name(shard: super::facility::Shard) -> String {
    format!("hdr/shard-{}-of-{}.hlog", shard.index, shard.count)
}

/// Writes the summary and its renderings.
pub fn write_summary(dir: &Path, s: &Summary) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    let json = serde_json::to_vec_pretty(s).map_err(std::io::Error::other)?;
    write_atomic(&dir.join("summary.json"), &json)?;
    let mut buf = Vec::new();
    render::markdown(s, &mut buf)?;
    write_atomic(&dir.join("summary.md"), &buf)?;
    buf.clear();
    render::junit(s, &mut buf)?;
    write_atomic(&dir.join("junit.xml"), &buf)?;
    buf.clear();
    render::html(s, &mut buf)?;
    write_atomic(&dir.join("report.html"), &buf)
}

/// Writes one interval log (relative name under `dir`).
pub fn write_log(
    dir: &Path,
    name: &str,
    base: std::time::SystemTime,
    comments: &[String],
    entries: &[Entry],
) -> std::io::Result<()> {
    let path = dir.join(name);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    write_atomic(&path, &hlog::write(base, comments, entries)?)
}

/// A run directory read back.
#[derive(Debug)]
pub struct RunDir {
    /// Where.
    pub path: PathBuf,
    /// Its summary.
    pub summary: Summary,
    /// Its interval logs: (relative name, raw bytes, entries).
    pub logs: Vec<(String, Vec<u8>, Vec<Entry>)>,
}

/// Reads `dir/summary.json` and every interval log its shards name.
pub fn read(dir: &Path) -> Result<RunDir, String> {
    let path = dir.join("summary.json");
    let bytes = std::fs::read(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    let summary: Summary =
        serde_json::from_slice(&bytes).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut logs = Vec::new();
    for s in &summary.shards {
        let p = dir.join(&s.hdr_log);
        let raw = std::fs::read(&p).map_err(|e| format!("{}: {e}", p.display()))?;
        let entries = hlog::read(&raw).map_err(|e| format!("{}: {e}", p.display()))?;
        logs.push((s.hdr_log.clone(), raw, entries));
    }
    Ok(RunDir {
        path: dir.to_owned(),
        summary,
        logs,
    })
}
