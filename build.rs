//! Embeds the sample vault, so `upward init --example` works from an installed binary.

use std::fmt::Write;
use std::path::Path;

fn main() {
    source_digest();
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-vault");
    println!("cargo:rerun-if-changed={}", root.display());
    let mut files = Vec::new();
    collect(&root, &root, &mut files);
    files.sort();
    let mut code = String::from(
        "/// The files of the sample vault: vault-relative path and contents.\n\
         pub const SAMPLE_VAULT: &[(&str, &[u8])] = &[\n",
    );
    for (rel, path) in files {
        writeln!(code, "    ({rel:?}, include_bytes!({path:?})),").expect("writing to a string");
    }
    code.push_str("];\n");
    let out =
        Path::new(&std::env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("sample_vault.rs");
    std::fs::write(out, code).expect("writing the embedded sample vault");
}

fn collect(root: &Path, dir: &Path, files: &mut Vec<(String, String)>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') || name == "_site" {
            continue;
        }
        if path.is_dir() {
            collect(root, &path, files);
        } else {
            let rel = path
                .strip_prefix(root)
                .expect("inside the sample vault")
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect::<Vec<_>>()
                .join("/");
            files.push((rel, path.display().to_string()));
        }
    }
}

/// A hash of the source code and of the versions of the crates it is built with, so a site
/// built (or a note cache written) by another version of upward is made again rather than taken
/// as unchanged.
fn source_digest() {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let src = manifest.join("src");
    let lock = manifest.join("Cargo.lock");
    println!("cargo:rerun-if-changed={}", src.display());
    println!("cargo:rerun-if-changed={}", lock.display());
    let mut files = Vec::new();
    collect(&src, &src, &mut files);
    files.sort();
    files.push(("Cargo.lock".to_owned(), lock.display().to_string()));
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for (rel, path) in files {
        for byte in rel.bytes().chain(std::fs::read(path).unwrap_or_default()) {
            hash = (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3);
        }
    }
    println!("cargo:rustc-env=UPWARD_SOURCE_DIGEST={hash:016x}");
}
