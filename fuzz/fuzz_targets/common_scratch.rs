//! Shared by the file-reader targets: the readers take a path, so each input is written to a
//! scratch file first (one per process and target) and read back the way cogbench reads it.

use std::path::PathBuf;

/// Writes `data` to this process's scratch file for `target` and returns its path.
pub fn scratch_file(target: &str, name: &str, data: &[u8]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("cogbench-fuzz-{target}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a scratch folder");
    let path = dir.join(name);
    std::fs::write(&path, data).expect("a scratch file");
    path
}
