//! Where uploads wait while they are read: a folder chainpark owns (by default `chainpark-spool` in the system's
//! temporary folder), with one subfolder per running process that holds a locked file. A process that ends without
//! cleaning up (a crash, `kill -9`) leaves its subfolder unlocked; the next start removes it, and never the
//! subfolder of a process still running (its lock is held).

use std::fs::{self, File, TryLockError};
use std::io;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};

const LOCK_FILE: &str = ".lock";

/// The spool of this process.
#[derive(Debug)]
pub struct Spool {
    root: PathBuf,
    /// This process's subfolder and its locked file, made on first use.
    own: OnceLock<Result<(PathBuf, File), String>>,
}

/// What starting the spool removed.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Leftovers {
    pub folders: usize,
    pub files: usize,
}

impl Spool {
    /// The default root: `chainpark-spool` in the system's temporary folder.
    pub fn default_root() -> PathBuf {
        std::env::temp_dir().join("chainpark-spool")
    }

    /// A spool under `root`; nothing is created before [`Spool::start`] or the first upload.
    pub fn new(root: PathBuf) -> Spool {
        Spool {
            root,
            own: OnceLock::new(),
        }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Removes what processes that are gone left behind, and makes this process's subfolder. Called at start; an
    /// upload calls it too when nothing did.
    pub fn start(&self) -> io::Result<Leftovers> {
        let mut removed = Leftovers::default();
        let started = self.own.get_or_init(|| {
            fs::create_dir_all(&self.root).map_err(|e| self.describe(e))?;
            removed = remove_leftovers(&self.root).map_err(|e| self.describe(e))?;
            make_own_folder(&self.root).map_err(|e| self.describe(e))
        });
        match started {
            Ok(_) => Ok(removed),
            Err(e) => Err(io::Error::other(e.clone())),
        }
    }

    fn describe(&self, e: io::Error) -> String {
        format!("the spool folder {}: {e}", self.root.display())
    }

    /// A new file name in this process's subfolder; the file is removed when the returned value is dropped.
    pub fn file(&self) -> io::Result<SpoolFile> {
        self.start()?;
        let Some(Ok((folder, _))) = self.own.get() else {
            return Err(io::Error::other("the spool folder could not be made"));
        };
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        Ok(SpoolFile(folder.join(format!(
            "upload-{}",
            COUNTER.fetch_add(1, Ordering::Relaxed)
        ))))
    }
}

impl Drop for Spool {
    fn drop(&mut self) {
        if let Some(Ok((folder, _))) = self.own.get() {
            let _ = fs::remove_dir_all(folder);
        }
    }
}

/// Removes every subfolder of `root` whose lock is free (its process is gone), and loose files.
fn remove_leftovers(root: &Path) -> io::Result<Leftovers> {
    let mut removed = Leftovers::default();
    for entry in fs::read_dir(root)? {
        let path = entry?.path();
        if !path.is_dir() {
            if fs::remove_file(&path).is_ok() {
                removed.files += 1;
            }
            continue;
        }
        let abandoned = match File::open(path.join(LOCK_FILE)) {
            Ok(lock) => match lock.try_lock() {
                Ok(()) => true,
                Err(TryLockError::WouldBlock) => false,
                Err(TryLockError::Error(_)) => false,
            },
            // A folder without its lock file was being made or is not one of ours to judge: leave it.
            Err(_) => false,
        };
        if abandoned {
            let files = fs::read_dir(&path)
                .map(|entries| entries.count().saturating_sub(1))
                .unwrap_or(0);
            if fs::remove_dir_all(&path).is_ok() {
                removed.folders += 1;
                removed.files += files;
            }
        }
    }
    Ok(removed)
}

/// This process's subfolder, named by process id and a counter, with its lock file locked for as long as the
/// returned file is open.
fn make_own_folder(root: &Path) -> io::Result<(PathBuf, File)> {
    static FOLDERS: AtomicU64 = AtomicU64::new(0);
    let folder = root.join(format!(
        "{}-{}",
        std::process::id(),
        FOLDERS.fetch_add(1, Ordering::Relaxed)
    ));
    if folder.exists() {
        fs::remove_dir_all(&folder)?;
    }
    fs::create_dir(&folder)?;
    let lock = File::create(folder.join(LOCK_FILE))?;
    lock.lock()?;
    Ok((folder, lock))
}

/// An upload's file in the spool, removed when dropped.
pub struct SpoolFile(PathBuf);

impl SpoolFile {
    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for SpoolFile {
    fn drop(&mut self) {
        let _ = fs::remove_file(&self.0);
    }
}
