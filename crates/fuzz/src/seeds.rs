//! Seed inputs: where a target's fuzzing starts.

use std::io;
use std::path::Path;

/// One seed input, named for its file in the corpus directory.
#[derive(Debug, Clone)]
pub struct Seed {
    pub name: String,
    pub bytes: Vec<u8>,
}

impl Seed {
    pub fn new(name: &str, bytes: Vec<u8>) -> Seed {
        let name = name
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        Seed { name, bytes }
    }
}

/// Every file directly in `directory` whose name ends with one of
/// `extensions`, as seeds.
pub fn files_in(directory: &Path, extensions: &[&str]) -> io::Result<Vec<Seed>> {
    let mut seeds = Vec::new();
    for entry in std::fs::read_dir(directory)? {
        let path = entry?.path();
        let name = path
            .file_name()
            .map(|name| name.to_string_lossy().into_owned())
            .unwrap_or_default();
        if path.is_file() && extensions.iter().any(|extension| name.ends_with(extension)) {
            seeds.push(Seed::new(&name, std::fs::read(&path)?));
        }
    }
    seeds.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(seeds)
}
