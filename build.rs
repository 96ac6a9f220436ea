//! Records the source revision the binary is built from as `ONSHI_REVISION` (for
//! `onshi certify`'s `tested.json`): `$ONSHI_REVISION` when set (a build from a
//! tarball), else `git rev-parse HEAD`, else `unknown`. Never fails the build.

use std::path::{Path, PathBuf};
use std::process::Command;

/// `git <args>` in the package directory, its trimmed output if it succeeded.
fn git(dir: &Path, args: &[&str]) -> Option<String> {
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .output()
        .ok()?;
    let text = String::from_utf8(out.stdout).ok()?;
    (out.status.success() && !text.trim().is_empty()).then(|| text.trim().to_owned())
}

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-env-changed=ONSHI_REVISION");
    let dir = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default());
    let revision = match std::env::var("ONSHI_REVISION") {
        Ok(r) if !r.trim().is_empty() => r.trim().to_owned(),
        _ => {
            // Build again when HEAD moves: HEAD itself (a checkout), the branch it names
            // (a commit) and the packed refs. Only files that exist: a missing one
            // would make every build run this again.
            let mut watched = vec![git(&dir, &["rev-parse", "--git-path", "HEAD"])];
            if let Some(branch) = git(&dir, &["symbolic-ref", "-q", "HEAD"]) {
                watched.push(git(&dir, &["rev-parse", "--git-path", &branch]));
            }
            watched.push(git(&dir, &["rev-parse", "--git-path", "packed-refs"]));
            for path in watched.into_iter().flatten() {
                let path = dir.join(path);
                if path.exists() {
                    println!("cargo:rerun-if-changed={}", path.display());
                }
            }
            git(&dir, &["rev-parse", "HEAD"]).unwrap_or_else(|| "unknown".to_owned())
        }
    };
    println!("cargo:rustc-env=ONSHI_REVISION={revision}");
}
