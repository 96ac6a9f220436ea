//! A run's directory, `<root>/<run-id>/`, for every run kind (the conformance suite,
//! `onshi load`, a merge of load shards): created exclusively — a run never writes
//! into another run's directory, so two runs started in the same second with the same
//! seed get `<id>` and `<id>-2` — every named file written atomically, subdirectories
//! for extra artefacts (load's HdrHistogram logs under `hdr/`), and what a run wrote
//! listed and read back.

use std::fs;
use std::io::{self, Write};
use std::path::{Component, Path, PathBuf};

use serde::Serialize;
use serde::de::DeserializeOwned;

use onshi_support::fsutil::write_atomic;

/// How many suffixes (`-2` … `-N`) [`RunDir::create`] tries before giving up.
const MAX_SUFFIX: u32 = 10_000;

/// Why a run directory could not be created, written or read.
#[derive(Debug, thiserror::Error)]
pub enum RunDirError {
    /// A file-system operation failed.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// The cause.
        #[source]
        source: io::Error,
    },
    /// The directory exists already; a run directory is never reused.
    #[error("{}: already exists (a run directory is never reused)", path.display())]
    Exists {
        /// The directory.
        path: PathBuf,
    },
    /// Every name from `<id>` to `<id>-N` is taken.
    #[error("{}: taken, and so is every suffix up to -{tries}", path.display())]
    Exhausted {
        /// The first name tried.
        path: PathBuf,
        /// The last suffix tried.
        tries: u32,
    },
    /// The path to open is not a directory.
    #[error("{}: not a directory", path.display())]
    NotADirectory {
        /// The path.
        path: PathBuf,
    },
    /// A run id must be one plain file name (no `/`, not `.` or `..`, not empty).
    #[error("run id {id:?} is not a plain directory name")]
    BadId {
        /// The id.
        id: String,
    },
    /// A file name must be a relative path inside the directory (no `..`, not absolute).
    #[error("{name:?} is not a relative path inside the run directory")]
    BadName {
        /// The name.
        name: String,
    },
    /// A JSON file could not be encoded or decoded.
    #[error("{}: {source}", path.display())]
    Json {
        /// The file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: serde_json::Error,
    },
}

fn io_error(path: &Path) -> impl FnOnce(io::Error) -> RunDirError + '_ {
    move |source| RunDirError::Io {
        path: path.to_owned(),
        source,
    }
}

/// Whether `id` is one plain directory name.
fn check_id(id: &str) -> Result<(), RunDirError> {
    let mut components = Path::new(id).components();
    match (components.next(), components.next()) {
        (Some(Component::Normal(c)), None) if c == id => Ok(()),
        _ => Err(RunDirError::BadId { id: id.to_owned() }),
    }
}

/// Whether a file is one of [`write_atomic`]'s temporaries (`.<name>.<pid>.<n>.tmp`).
fn is_temporary(name: &str) -> bool {
    name.starts_with('.') && name.ends_with(".tmp")
}

/// A run's directory: `<root>/<run-id>/`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunDir {
    path: PathBuf,
    id: String,
}

impl RunDir {
    /// Creates `<root>/<id>/`, or — if that name is taken, even by a run started in the
    /// same second — `<root>/<id>-2/`, `<id>-3/`, …: the first name whose directory this
    /// call created itself (each attempt is one exclusive `mkdir`, so concurrent runs
    /// never share a directory). `root` is created if missing. [`RunDir::id`] is the
    /// name chosen.
    pub fn create(root: &Path, id: &str) -> Result<Self, RunDirError> {
        check_id(id)?;
        fs::create_dir_all(root).map_err(io_error(root))?;
        for n in 1..=MAX_SUFFIX {
            let candidate = if n == 1 {
                id.to_owned()
            } else {
                format!("{id}-{n}")
            };
            let path = root.join(&candidate);
            match fs::create_dir(&path) {
                Ok(()) => {
                    return Ok(Self {
                        path,
                        id: candidate,
                    });
                }
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {}
                Err(source) => return Err(RunDirError::Io { path, source }),
            }
        }
        Err(RunDirError::Exhausted {
            path: root.join(id),
            tries: MAX_SUFFIX,
        })
    }

    /// Creates exactly `<root>/<id>/` (an id someone chose, e.g. `--run-id`); an
    /// existing directory of that name is [`RunDirError::Exists`], never reused.
    /// `root` is created if missing.
    pub fn create_new(root: &Path, id: &str) -> Result<Self, RunDirError> {
        check_id(id)?;
        fs::create_dir_all(root).map_err(io_error(root))?;
        let path = root.join(id);
        match fs::create_dir(&path) {
            Ok(()) => Ok(Self {
                path,
                id: id.to_owned(),
            }),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => Err(RunDirError::Exists { path }),
            Err(source) => Err(RunDirError::Io { path, source }),
        }
    }

    /// Opens an existing run directory (to read it back, or to render it again). Its
    /// id is the directory's name.
    pub fn open(path: &Path) -> Result<Self, RunDirError> {
        let meta = fs::metadata(path).map_err(io_error(path))?;
        if !meta.is_dir() {
            return Err(RunDirError::NotADirectory {
                path: path.to_owned(),
            });
        }
        Ok(Self {
            path: path.to_owned(),
            id: path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default(),
        })
    }

    /// Opens `path`, creating it (and its parents) if missing: an output directory
    /// named on the command line (`onshi report merge --out DIR`).
    pub fn open_or_create(path: &Path) -> Result<Self, RunDirError> {
        fs::create_dir_all(path).map_err(io_error(path))?;
        Self::open(path)
    }

    /// The directory.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The run id: the directory's name (with its `-N` suffix, if one was needed).
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The path of a file in the directory; `name` is relative (`summary.json`,
    /// `hdr/shard-0-of-1.hlog`) and stays inside it.
    pub fn file(&self, name: &str) -> Result<PathBuf, RunDirError> {
        let rel = Path::new(name);
        let plain = !name.is_empty() && rel.components().all(|c| matches!(c, Component::Normal(_)));
        if plain {
            Ok(self.path.join(rel))
        } else {
            Err(RunDirError::BadName {
                name: name.to_owned(),
            })
        }
    }

    /// Creates (if missing) a subdirectory for extra artefacts, e.g. `hdr`, and
    /// returns its path.
    pub fn subdir(&self, name: &str) -> Result<PathBuf, RunDirError> {
        let path = self.file(name)?;
        fs::create_dir_all(&path).map_err(io_error(&path))?;
        Ok(path)
    }

    /// Writes one file atomically (readers see the old content or the new, never a
    /// mix); a `name` with directories (`hdr/x.hlog`) creates them.
    pub fn write(&self, name: &str, bytes: &[u8]) -> Result<(), RunDirError> {
        let path = self.file(name)?;
        if let Some(parent) = path.parent()
            && parent != self.path
        {
            fs::create_dir_all(parent).map_err(io_error(parent))?;
        }
        write_atomic(&path, bytes).map_err(io_error(&path))
    }

    /// Renders a file with a sink that writes to any `io::Write`, then writes it
    /// atomically.
    pub fn render(
        &self,
        name: &str,
        sink: impl FnOnce(&mut dyn Write) -> io::Result<()>,
    ) -> Result<(), RunDirError> {
        let mut buf = Vec::new();
        sink(&mut buf).map_err(|source| RunDirError::Io {
            path: self.path.join(name),
            source,
        })?;
        self.write(name, &buf)
    }

    /// Writes a value as pretty JSON, atomically.
    pub fn write_json<T: Serialize + ?Sized>(
        &self,
        name: &str,
        value: &T,
    ) -> Result<(), RunDirError> {
        let json = serde_json::to_vec_pretty(value).map_err(|source| RunDirError::Json {
            path: self.path.join(name),
            source,
        })?;
        self.write(name, &json)
    }

    /// Reads one file back.
    pub fn read(&self, name: &str) -> Result<Vec<u8>, RunDirError> {
        let path = self.file(name)?;
        fs::read(&path).map_err(io_error(&path))
    }

    /// Reads one JSON file back.
    pub fn read_json<T: DeserializeOwned>(&self, name: &str) -> Result<T, RunDirError> {
        let bytes = self.read(name)?;
        serde_json::from_slice(&bytes).map_err(|source| RunDirError::Json {
            path: self.path.join(name),
            source,
        })
    }

    /// Every file the run wrote, as relative names with `/` (`hdr/shard-0-of-1.hlog`,
    /// `summary.json`), sorted; unfinished atomic writes are not listed.
    pub fn files(&self) -> Result<Vec<String>, RunDirError> {
        let mut out = Vec::new();
        let mut pending = vec![(self.path.clone(), String::new())];
        while let Some((dir, prefix)) = pending.pop() {
            for entry in fs::read_dir(&dir).map_err(io_error(&dir))? {
                let entry = entry.map_err(io_error(&dir))?;
                let name = entry.file_name().to_string_lossy().into_owned();
                let rel = format!("{prefix}{name}");
                let kind = entry.file_type().map_err(io_error(&entry.path()))?;
                if kind.is_dir() {
                    pending.push((entry.path(), format!("{rel}/")));
                } else if !is_temporary(&name) {
                    out.push(rel);
                }
            }
        }
        out.sort();
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_taken_id_gets_the_next_free_suffix() {
        let root = tempfile::tempdir().unwrap();
        let ids: Vec<String> = (0..3)
            .map(|_| {
                RunDir::create(root.path(), "20261130-090000-s7")
                    .unwrap()
                    .id()
                    .to_owned()
            })
            .collect();
        assert_eq!(
            ids,
            [
                "20261130-090000-s7",
                "20261130-090000-s7-2",
                "20261130-090000-s7-3"
            ]
        );
        for id in &ids {
            assert!(root.path().join(id).is_dir(), "{id}");
        }
    }

    #[test]
    fn runs_started_together_never_share_a_directory() {
        let root = tempfile::tempdir().unwrap();
        let dirs: Vec<RunDir> = std::thread::scope(|s| {
            let handles: Vec<_> = (0..8)
                .map(|_| s.spawn(|| RunDir::create(root.path(), "load-x-s1").unwrap()))
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        let mut ids: Vec<&str> = dirs.iter().map(RunDir::id).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), 8, "{ids:?}");
        for d in &dirs {
            assert_eq!(d.path(), root.path().join(d.id()));
        }
    }

    #[test]
    fn a_chosen_id_is_never_reused() {
        let root = tempfile::tempdir().unwrap();
        let first = RunDir::create_new(root.path().join("nested").as_path(), "smoke").unwrap();
        assert_eq!(first.id(), "smoke");
        let again = RunDir::create_new(root.path().join("nested").as_path(), "smoke");
        assert!(
            matches!(again, Err(RunDirError::Exists { .. })),
            "{again:?}"
        );
        let msg = again.unwrap_err().to_string();
        assert!(msg.contains("smoke: already exists"), "{msg}");
    }

    #[test]
    fn ids_and_names_stay_inside() {
        let root = tempfile::tempdir().unwrap();
        for id in ["", ".", "..", "a/b", "/abs"] {
            assert!(
                matches!(
                    RunDir::create(root.path(), id),
                    Err(RunDirError::BadId { .. })
                ),
                "{id:?}"
            );
            assert!(RunDir::create_new(root.path(), id).is_err(), "{id:?}");
        }
        let dir = RunDir::create(root.path(), "r").unwrap();
        for name in ["", "../x", "/etc/passwd", "hdr/../../x", "./"] {
            assert!(
                matches!(dir.write(name, b"x"), Err(RunDirError::BadName { .. })),
                "{name:?}"
            );
        }
    }

    #[test]
    fn writes_lists_and_reads_back() {
        let root = tempfile::tempdir().unwrap();
        let dir = RunDir::create(root.path(), "r").unwrap();
        dir.write_json("summary.json", &serde_json::json!({"passed": true}))
            .unwrap();
        dir.write("hdr/shard-0-of-1.hlog", b"log").unwrap();
        dir.render("summary.md", |out| out.write_all(b"# md"))
            .unwrap();
        dir.write("summary.md", b"# md again").unwrap();
        let goose = dir.subdir("extra").unwrap();
        fs::write(goose.join("goose-report.md"), "g").unwrap();
        // An unfinished atomic write is not part of the run.
        fs::write(dir.path().join(".summary.md.1.0.tmp"), "x").unwrap();

        assert_eq!(
            dir.files().unwrap(),
            [
                "extra/goose-report.md",
                "hdr/shard-0-of-1.hlog",
                "summary.json",
                "summary.md"
            ]
        );
        assert_eq!(dir.read("hdr/shard-0-of-1.hlog").unwrap(), b"log");
        assert_eq!(dir.read("summary.md").unwrap(), b"# md again");
        let v: serde_json::Value = dir.read_json("summary.json").unwrap();
        assert_eq!(v["passed"], true);

        let reopened = RunDir::open(dir.path()).unwrap();
        assert_eq!(reopened, dir);
        let missing = reopened.read("nope.json").unwrap_err().to_string();
        assert!(missing.contains("nope.json"), "{missing}");
    }

    #[test]
    fn open_needs_a_directory() {
        let root = tempfile::tempdir().unwrap();
        assert!(RunDir::open(&root.path().join("missing")).is_err());
        fs::write(root.path().join("file"), "x").unwrap();
        assert!(matches!(
            RunDir::open(&root.path().join("file")),
            Err(RunDirError::NotADirectory { .. })
        ));
        let out = RunDir::open_or_create(&root.path().join("a/merged")).unwrap();
        assert_eq!(out.id(), "merged");
        assert!(RunDir::open_or_create(out.path()).is_ok(), "reopened");
    }
}
