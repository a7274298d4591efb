//! Where a source's position is stored: a JSON file written atomically.
//!
//! The Okta source's position is the opaque `next` URL plus the uuid de-duplication window. After
//! the consumer acknowledges a page (see `source::okta::PageAck`), the source hands a
//! [`Checkpoint`] to [`CheckpointFile::save`], which writes a temporary file in the same directory,
//! fsyncs it, renames it over the old file and fsyncs the directory: after a crash the file holds
//! either the old or the new checkpoint, never a mix. [`CheckpointFile::load`] reads it back at
//! start-up, with errors that name the file and say what is wrong.

use std::io::Write;
use std::path::{Path, PathBuf};

/// The checkpoint format version written by this code.
pub const CHECKPOINT_VERSION: u32 = 1;

/// A saved position.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Checkpoint {
    /// Format version ([`CHECKPOINT_VERSION`]).
    pub version: u32,
    /// The org this position belongs to (e.g. `https://acme.okta.com`).
    pub org_url: String,
    /// The `rel="next"` URL to request next.
    pub next_url: String,
    /// Recently delivered event uuids, oldest first.
    #[serde(default)]
    pub dedup: Vec<String>,
    /// When it was saved (RFC 3339), for humans.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub saved_at: Option<String>,
}

/// Why a checkpoint could not be loaded or saved.
#[derive(Debug, thiserror::Error)]
pub enum CheckpointError {
    /// Reading or writing failed.
    #[error("checkpoint {path}: {action} failed: {source}")]
    Io {
        /// The checkpoint file.
        path: PathBuf,
        /// What was being done.
        action: &'static str,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The file exists but is not a valid checkpoint.
    #[error("checkpoint {path} is corrupt ({reason}); move it away to start over from --since (events may be re-delivered or, if it is old, missed)")]
    Corrupt {
        /// The checkpoint file.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
    /// A checkpoint of a newer format.
    #[error(
        "checkpoint {path} has version {found}; this program writes version {CHECKPOINT_VERSION}"
    )]
    Version {
        /// The checkpoint file.
        path: PathBuf,
        /// The version found.
        found: u32,
    },
    /// The checkpoint belongs to another org.
    #[error(
        "checkpoint {path} belongs to org {found}, not {expected}; use one checkpoint file per org"
    )]
    OtherOrg {
        /// The checkpoint file.
        path: PathBuf,
        /// The org in the file.
        found: String,
        /// The org configured.
        expected: String,
    },
    /// Pages were acknowledged out of order (a consumer bug).
    #[error("page acknowledged out of order (expected page {expected}, got {got}); acknowledge every page, in order")]
    OutOfOrder {
        /// The sequence number expected.
        expected: u64,
        /// The sequence number given.
        got: u64,
    },
}

/// A checkpoint file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckpointFile {
    path: PathBuf,
}

impl CheckpointFile {
    /// A checkpoint stored at `path` (the file need not exist yet).
    pub fn new(path: impl Into<PathBuf>) -> CheckpointFile {
        CheckpointFile { path: path.into() }
    }

    /// The file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Loads the checkpoint; `Ok(None)` when the file does not exist.
    pub fn load(&self) -> Result<Option<Checkpoint>, CheckpointError> {
        let bytes = match std::fs::read(&self.path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(source) => {
                return Err(CheckpointError::Io {
                    path: self.path.clone(),
                    action: "reading",
                    source,
                })
            }
        };
        let corrupt = |reason: String| CheckpointError::Corrupt {
            path: self.path.clone(),
            reason,
        };
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Err(corrupt("the file is empty".into()));
        }
        let value: serde_json::Value =
            serde_json::from_slice(&bytes).map_err(|e| corrupt(format!("not JSON: {e}")))?;
        let version = value
            .get("version")
            .and_then(|v| v.as_u64())
            .ok_or_else(|| corrupt("no \"version\" number".into()))?;
        if version != u64::from(CHECKPOINT_VERSION) {
            return Err(CheckpointError::Version {
                path: self.path.clone(),
                found: u32::try_from(version).unwrap_or(u32::MAX),
            });
        }
        let cp: Checkpoint = serde_json::from_value(value).map_err(|e| corrupt(e.to_string()))?;
        if cp.next_url.is_empty() {
            return Err(corrupt("empty \"next_url\"".into()));
        }
        Ok(Some(cp))
    }

    /// Writes the checkpoint atomically (temp file, fsync, rename, fsync directory).
    pub fn save(&self, checkpoint: &Checkpoint) -> Result<(), CheckpointError> {
        let io = |action: &'static str| {
            let path = self.path.clone();
            move |source| CheckpointError::Io {
                path,
                action,
                source,
            }
        };
        let dir = match self.path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let file_name = self
            .path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "checkpoint".into());
        let tmp = dir.join(format!(".{file_name}.tmp-{}", std::process::id()));
        let json = serde_json::to_vec_pretty(checkpoint)
            .map_err(|e| io("serialising")(std::io::Error::other(e)))?;
        let result = (|| {
            let mut f = std::fs::File::create(&tmp).map_err(io("creating the temporary file"))?;
            f.write_all(&json).map_err(io("writing"))?;
            f.write_all(b"\n").map_err(io("writing"))?;
            f.sync_all().map_err(io("fsync of the temporary file"))?;
            drop(f);
            std::fs::rename(&tmp, &self.path).map_err(io("renaming into place"))?;
            sync_dir(&dir).map_err(io("fsync of the directory"))
        })();
        if result.is_err() {
            let _ = std::fs::remove_file(&tmp);
        }
        result
    }
}

#[cfg(unix)]
fn sync_dir(dir: &Path) -> std::io::Result<()> {
    std::fs::File::open(dir)?.sync_all()
}

#[cfg(not(unix))]
fn sync_dir(_dir: &Path) -> std::io::Result<()> {
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(n: usize) -> Checkpoint {
        Checkpoint {
            version: CHECKPOINT_VERSION,
            org_url: "https://acme.okta.com".into(),
            next_url: format!("https://acme.okta.com/api/v1/logs?after={n}"),
            dedup: (0..n).map(|i| format!("uuid-{i}")).collect(),
            saved_at: None,
        }
    }

    #[test]
    fn save_then_load_round_trips_and_replaces() {
        let dir = tempfile::tempdir().unwrap();
        let file = CheckpointFile::new(dir.path().join("acme.json"));
        assert_eq!(file.load().unwrap(), None);
        file.save(&sample(3)).unwrap();
        assert_eq!(file.load().unwrap(), Some(sample(3)));
        file.save(&sample(5)).unwrap();
        assert_eq!(file.load().unwrap(), Some(sample(5)));
        // No temporary file is left behind.
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        assert_eq!(names, ["acme.json"]);
    }

    #[test]
    fn corrupt_files_give_clear_errors() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cp.json");
        let file = CheckpointFile::new(&path);
        for (content, needle) in [
            ("", "empty"),
            ("{\"version\":1,\"org_url\":\"x\",\"next_u", "not JSON"),
            ("{\"org_url\":\"x\"}", "version"),
            ("{\"version\":1,\"org_url\":\"x\"}", "next_url"),
            (
                "{\"version\":1,\"org_url\":\"x\",\"next_url\":\"\"}",
                "next_url",
            ),
            ("[1,2]", "version"),
        ] {
            std::fs::write(&path, content).unwrap();
            let err = file.load().unwrap_err();
            let text = err.to_string();
            assert!(
                matches!(err, CheckpointError::Corrupt { .. }),
                "{content:?}: {text}"
            );
            assert!(text.contains(needle), "{content:?}: {text}");
            assert!(text.contains("cp.json"), "{text}");
        }
        std::fs::write(
            &path,
            "{\"version\":9,\"org_url\":\"x\",\"next_url\":\"y\"}",
        )
        .unwrap();
        assert!(matches!(
            file.load(),
            Err(CheckpointError::Version { found: 9, .. })
        ));
    }

    #[test]
    fn save_into_a_missing_directory_fails_cleanly() {
        let dir = tempfile::tempdir().unwrap();
        let file = CheckpointFile::new(dir.path().join("no/such/dir/cp.json"));
        let err = file.save(&sample(1)).unwrap_err();
        assert!(matches!(err, CheckpointError::Io { .. }), "{err}");
    }

    #[test]
    fn a_crash_before_rename_leaves_the_old_checkpoint() {
        // Simulate the crash window: a stale temporary file next to a good checkpoint.
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cp.json");
        let file = CheckpointFile::new(&path);
        file.save(&sample(2)).unwrap();
        std::fs::write(dir.path().join(".cp.json.tmp-1"), "{\"version\":1,\"org").unwrap();
        assert_eq!(file.load().unwrap(), Some(sample(2)));
        file.save(&sample(4)).unwrap();
        assert_eq!(file.load().unwrap(), Some(sample(4)));
    }
}
