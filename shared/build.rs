//! Names the build of the FAQ engine (`FAQ_ENGINE`): a hash of everything
//! a built index depends on — the matching code, the lockfile (stemmers)
//! and the word vectors. Stored indexes of another build are rebuilt.

use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};

fn main() {
    let root = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets it"));
    let mut inputs = vec![
        root.join("src/analysis.rs"),
        root.join("../Cargo.lock"),
        root.join("models/word-vectors.bin"),
    ];
    rust_files(&root.join("src/faq"), &mut inputs);
    inputs.sort();
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    for path in &inputs {
        println!("cargo:rerun-if-changed={}", path.display());
        path.strip_prefix(&root).unwrap_or(path).hash(&mut hasher);
        std::fs::read(path).unwrap_or_default().hash(&mut hasher);
    }
    println!("cargo:rerun-if-changed=src/faq");
    println!("cargo:rustc-env=FAQ_ENGINE={:016x}", hasher.finish());
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}
