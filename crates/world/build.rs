//! Embeds the default personas, features and scenarios so that `onshi` runs on its
//! embedded defaults from any directory.

use std::env;
use std::fmt::Write as _;
use std::fs;
use std::path::Path;

fn main() {
    let manifest = env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
    // The data lives at the top of the repository, two levels up from crates/world.
    let root = Path::new(&manifest).join("../..");
    let mut out = String::new();
    for (name, dir, ext) in [
        ("PERSONAS", "virtual-cards", "toml"),
        ("FEATURES", "features", "feature"),
        ("SCENARIOS", "scenarios", "toml"),
    ] {
        println!("cargo:rerun-if-changed={}", root.join(dir).display());
        let mut files: Vec<_> = fs::read_dir(root.join(dir))
            .map(|rd| rd.filter_map(|e| e.ok().map(|e| e.path())).collect())
            .unwrap_or_default();
        files.retain(|p| p.extension().is_some_and(|x| x == ext));
        files.sort();
        writeln!(
            out,
            "/// Embedded `{dir}/*.{ext}`: (relative path, contents)."
        )
        .expect("formatting into a String");
        writeln!(out, "pub static {name}: &[(&str, &str)] = &[").expect("formatting into a String");
        for f in files {
            println!("cargo:rerun-if-changed={}", f.display());
            let rel = format!(
                "{dir}/{}",
                f.file_name().unwrap_or_default().to_string_lossy()
            );
            writeln!(
                out,
                "    ({rel:?}, include_str!({:?})),",
                f.display().to_string()
            )
            .expect("formatting into a String");
        }
        writeln!(out, "];").expect("formatting into a String");
    }
    let dest = Path::new(&env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("embedded.rs");
    fs::write(dest, out).expect("writing embedded.rs");
}
