//! Headless Chromium driven over the DevTools protocol on a pipe
//! (`--remote-debugging-pipe`: commands to the browser's fd 3, answers and events
//! from its fd 4, each message JSON ended by a NUL byte). No WebSocket, no crate: the
//! test sees every console message, uncaught exception and failed load of a page,
//! asks the page questions in JavaScript and takes full-page screenshots. A page can
//! also be kept open ([`Browser::open`]) and asked again while it changes.

use std::io::{BufRead, BufReader, Write};
use std::os::fd::{AsRawFd, OwnedFd};
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

use base64::Engine as _;
use serde_json::{Value, json};

/// How long any one command or page load may take.
const TIMEOUT: Duration = Duration::from_secs(60);

/// A running headless Chromium.
pub(crate) struct Browser {
    child: Child,
    to: std::io::PipeWriter,
    from: Receiver<Value>,
    next_id: u64,
    /// Events seen while waiting for answers, not yet taken.
    events: Vec<Value>,
    _profile: tempfile::TempDir,
}

/// A page kept open in a tab ([`Browser::open`]).
pub(crate) struct Tab {
    target: String,
    session: String,
}

/// What a page did while it loaded and what it is.
#[derive(Debug, Default)]
pub(crate) struct Visit {
    /// Console errors, uncaught exceptions, failed loads (one line each).
    pub(crate) errors: Vec<String>,
    /// What `probe` returned (see [`PROBE`]).
    pub(crate) probe: Value,
    /// The `href` of the first link each `follow` selector found.
    pub(crate) follow: Vec<Option<String>>,
}

/// Asked of every page: its text (every text node but style and script), how many
/// tables and drawn SVG charts it has, what it would load from elsewhere, the in-page
/// links that lead nowhere, and — opened at a `#fragment` — whether the element it
/// names is shown (Chromium opens the `<details>` around it).
pub(crate) const PROBE: &str = r##"(() => {
  const w = document.createTreeWalker(document.documentElement, NodeFilter.SHOW_TEXT);
  let text = '';
  for (let n = w.nextNode(); n; n = w.nextNode()) {
    const p = n.parentNode && n.parentNode.nodeName.toLowerCase();
    if (p !== 'style' && p !== 'script') text += n.nodeValue + '\n';
  }
  const drawn = [...document.querySelectorAll('svg')].filter(s => {
    const r = s.getBoundingClientRect();
    return s.closest('details:not([open])') === null ? r.width > 0 && r.height > 0 : true;
  });
  const external = [...document.querySelectorAll('[src], link[href], object[data], iframe')]
    .map(e => e.outerHTML.slice(0, 120));
  const hash = decodeURIComponent(location.hash.slice(1));
  const t = hash ? document.getElementById(hash) : null;
  const target = hash ? t !== null && t.getBoundingClientRect().height > 0 : null;
  const broken = [...document.querySelectorAll('a[href^="#"]')]
    .map(a => a.getAttribute('href').slice(1))
    .filter(id => id && !document.getElementById(decodeURIComponent(id)));
  return {
    title: document.title,
    text,
    tables: document.querySelectorAll('table').length,
    charts: drawn.length,
    external,
    broken: [...new Set(broken)],
    fonts: getComputedStyle(document.body).fontFamily,
    target,
  };
})()"##;

impl Browser {
    /// Starts `bin` headless with a fresh profile.
    pub(crate) fn launch(bin: &Path) -> std::io::Result<Self> {
        let profile = tempfile::tempdir()?;
        // Parent → browser (its fd 3) and browser → parent (its fd 4).
        let (child_in, to) = std::io::pipe()?;
        let (from, child_out) = std::io::pipe()?;
        let child_in: OwnedFd = child_in.into();
        let child_out: OwnedFd = child_out.into();
        let (fd_in, fd_out) = (child_in.as_raw_fd(), child_out.as_raw_fd());
        let mut cmd = Command::new(bin);
        cmd.args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--remote-debugging-pipe",
            "--no-first-run",
            "--no-default-browser-check",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-extensions",
            "--hide-scrollbars",
            "--mute-audio",
            "about:blank",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
        // SAFETY: only async-signal-safe calls (dup2) between fork and exec. The
        // pipe ends go through 100/101 first so neither can be overwritten by the other
        // before it lands on 3 or 4 (dup2 onto a new number also clears close-on-exec).
        unsafe {
            cmd.pre_exec(move || {
                for (from, to) in [(fd_in, 100), (fd_out, 101), (100, 3), (101, 4)] {
                    if libc::dup2(from, to) < 0 {
                        return Err(std::io::Error::last_os_error());
                    }
                }
                Ok(())
            });
        }
        let child = cmd.spawn()?;
        drop((child_in, child_out));
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut r = BufReader::new(from);
            let mut buf = Vec::new();
            loop {
                buf.clear();
                match r.read_until(0, &mut buf) {
                    Ok(0) | Err(_) => return,
                    Ok(_) => {
                        if buf.last() == Some(&0) {
                            buf.pop();
                        }
                        if let Ok(v) = serde_json::from_slice::<Value>(&buf)
                            && tx.send(v).is_err()
                        {
                            return;
                        }
                    }
                }
            }
        });
        Ok(Self {
            child,
            to,
            from: rx,
            next_id: 1,
            events: Vec::new(),
            _profile: profile,
        })
    }

    /// Sends a command (to a page session, or the browser) and waits for its answer.
    pub(crate) fn call(
        &mut self,
        session: Option<&str>,
        method: &str,
        params: Value,
    ) -> Result<Value, String> {
        let id = self.next_id;
        self.next_id += 1;
        let mut msg = json!({"id": id, "method": method, "params": params});
        if let Some(s) = session {
            msg["sessionId"] = json!(s);
        }
        let mut bytes = serde_json::to_vec(&msg).map_err(|e| e.to_string())?;
        bytes.push(0);
        self.to
            .write_all(&bytes)
            .map_err(|e| format!("{method}: {e}"))?;
        let deadline = Instant::now() + TIMEOUT;
        loop {
            let v = self.recv(deadline).map_err(|e| format!("{method}: {e}"))?;
            if v.get("id").and_then(Value::as_u64) == Some(id) {
                if let Some(err) = v.get("error") {
                    return Err(format!("{method}: {err}"));
                }
                return Ok(v.get("result").cloned().unwrap_or(Value::Null));
            }
            self.events.push(v);
        }
    }

    fn recv(&self, deadline: Instant) -> Result<Value, String> {
        let left = deadline.saturating_duration_since(Instant::now());
        self.from.recv_timeout(left).map_err(|e| match e {
            RecvTimeoutError::Timeout => "no answer from chromium in time".to_owned(),
            RecvTimeoutError::Disconnected => "chromium closed the pipe".to_owned(),
        })
    }

    /// Waits for an event of `session` named `method` (already seen or to come).
    fn wait_event(&mut self, session: &str, method: &str) -> Result<(), String> {
        let is = |v: &Value| {
            v.get("method").and_then(Value::as_str) == Some(method)
                && v.get("sessionId").and_then(Value::as_str) == Some(session)
        };
        if self.events.iter().any(is) {
            return Ok(());
        }
        let deadline = Instant::now() + TIMEOUT;
        loop {
            let v = self
                .recv(deadline)
                .map_err(|e| format!("waiting for {method}: {e}"))?;
            let done = is(&v);
            self.events.push(v);
            if done {
                return Ok(());
            }
        }
    }

    /// Opens `url` in a new tab 1200 px wide and waits for it to load; what went
    /// wrong meanwhile and later is in [`Browser::errors`], every request it made in
    /// [`Browser::requests`].
    pub(crate) fn open(&mut self, url: &str) -> Result<Tab, String> {
        let target = self.call(None, "Target.createTarget", json!({"url": "about:blank"}))?;
        let target_id = target["targetId"].as_str().ok_or("no targetId")?.to_owned();
        let attached = self.call(
            None,
            "Target.attachToTarget",
            json!({"targetId": target_id, "flatten": true}),
        )?;
        let session = attached["sessionId"]
            .as_str()
            .ok_or("no sessionId")?
            .to_owned();
        let s = Some(session.as_str());
        for domain in [
            "Runtime.enable",
            "Log.enable",
            "Page.enable",
            "Network.enable",
        ] {
            self.call(s, domain, json!({}))?;
        }
        self.call(
            s,
            "Emulation.setDeviceMetricsOverride",
            json!({"width": 1200, "height": 900, "deviceScaleFactor": 1, "mobile": false}),
        )?;
        self.events.clear();
        let nav = self.call(s, "Page.navigate", json!({"url": url}))?;
        if let Some(e) = nav.get("errorText").and_then(Value::as_str) {
            return Err(format!("{url}: {e}"));
        }
        self.wait_event(&session, "Page.loadEventFired")?;
        Ok(Tab {
            target: target_id,
            session,
        })
    }

    /// The value of a JavaScript expression in `tab`.
    pub(crate) fn eval(&mut self, tab: &Tab, expression: &str) -> Result<Value, String> {
        let r = self.call(
            Some(&tab.session),
            "Runtime.evaluate",
            json!({"expression": expression, "returnByValue": true}),
        )?;
        if let Some(e) = r.get("exceptionDetails") {
            return Err(format!("{expression}: {e}"));
        }
        Ok(r["result"]["value"].clone())
    }

    /// Closes `tab`.
    pub(crate) fn close(&mut self, tab: Tab) -> Result<(), String> {
        self.call(None, "Target.closeTarget", json!({"targetId": tab.target}))
            .map(drop)
    }

    /// The URL of every request `tab` made so far (as seen while waiting for answers).
    pub(crate) fn requests(&self, tab: &Tab) -> Vec<String> {
        self.events
            .iter()
            .filter(|e| {
                e.get("sessionId").and_then(Value::as_str) == Some(tab.session.as_str())
                    && e.get("method").and_then(Value::as_str) == Some("Network.requestWillBeSent")
            })
            .filter_map(|e| e["params"]["request"]["url"].as_str().map(str::to_owned))
            .collect()
    }

    /// Console errors and warnings, uncaught exceptions and failed loads of `tab` so far.
    pub(crate) fn errors(&self, tab: &Tab) -> Vec<String> {
        self.errors_of(&tab.session)
    }

    /// Opens `url` in a new tab 1200 px wide, collects what went wrong while it
    /// loaded, asks it [`PROBE`], and writes a screenshot to `shot`: of the whole page
    /// (at most 16,000 px tall), or of the window where a `#fragment` scrolled it.
    /// `follow` are CSS selectors of links: the `href` of the first match of each is
    /// in [`Visit::follow`].
    pub(crate) fn visit(
        &mut self,
        url: &str,
        shot: &Path,
        follow: &[&str],
    ) -> Result<Visit, String> {
        let tab = self.open(url)?;
        let probe = self.eval(&tab, PROBE)?;
        let params = if url.contains('#') {
            json!({"format": "png"})
        } else {
            let metrics = self.call(Some(&tab.session), "Page.getLayoutMetrics", json!({}))?;
            let size = &metrics["cssContentSize"];
            let (w, h) = (
                size["width"].as_f64().unwrap_or(1200.0),
                size["height"].as_f64().unwrap_or(900.0).min(16_000.0),
            );
            json!({"format": "png", "captureBeyondViewport": true,
                   "clip": {"x": 0, "y": 0, "width": w, "height": h, "scale": 1}})
        };
        self.screenshot(&tab, params, shot)?;
        let expression = format!(
            "{}.map(s => {{ const a = document.querySelector(s); return a ? a.getAttribute('href') : null; }})",
            json!(follow)
        );
        let found = self.eval(&tab, &expression)?;
        let follow = found
            .as_array()
            .into_iter()
            .flatten()
            .map(|v| v.as_str().map(str::to_owned))
            .collect();
        let errors = self.errors(&tab);
        self.close(tab)?;
        Ok(Visit {
            errors,
            probe,
            follow,
        })
    }

    /// Writes a screenshot of `tab` (`Page.captureScreenshot` with `params`) to `shot`.
    pub(crate) fn screenshot(
        &mut self,
        tab: &Tab,
        params: Value,
        shot: &Path,
    ) -> Result<(), String> {
        let png = self.call(Some(&tab.session), "Page.captureScreenshot", params)?;
        let png = base64::engine::general_purpose::STANDARD
            .decode(png["data"].as_str().unwrap_or_default())
            .map_err(|e| e.to_string())?;
        std::fs::write(shot, png).map_err(|e| format!("{}: {e}", shot.display()))
    }

    /// Console errors and warnings, uncaught exceptions and failed loads of `session`.
    fn errors_of(&self, session: &str) -> Vec<String> {
        let mut out = Vec::new();
        for e in self
            .events
            .iter()
            .filter(|e| e.get("sessionId").and_then(Value::as_str) == Some(session))
        {
            let p = &e["params"];
            match e.get("method").and_then(Value::as_str) {
                Some("Runtime.consoleAPICalled")
                    if matches!(p["type"].as_str(), Some("error" | "assert" | "warning")) =>
                {
                    let args: Vec<String> = p["args"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .map(|a| {
                            a.get("value")
                                .map_or_else(|| a["description"].to_string(), Value::to_string)
                        })
                        .collect();
                    out.push(format!(
                        "console.{}: {}",
                        p["type"].as_str().unwrap_or(""),
                        args.join(" ")
                    ));
                }
                Some("Runtime.exceptionThrown") => out.push(format!(
                    "uncaught: {}",
                    p["exceptionDetails"]["exception"]["description"]
                        .as_str()
                        .or(p["exceptionDetails"]["text"].as_str())
                        .unwrap_or("?")
                )),
                Some("Log.entryAdded")
                    if matches!(p["entry"]["level"].as_str(), Some("error" | "warning")) =>
                {
                    out.push(format!(
                        "{} ({}): {} {}",
                        p["entry"]["level"].as_str().unwrap_or(""),
                        p["entry"]["source"].as_str().unwrap_or(""),
                        p["entry"]["text"].as_str().unwrap_or(""),
                        p["entry"]["url"].as_str().unwrap_or("")
                    ));
                }
                _ => {}
            }
        }
        out
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.call(None, "Browser.close", json!({}));
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub(crate) fn chromium() -> Option<std::path::PathBuf> {
    let found = [
        "/usr/bin/chromium",
        "/usr/bin/chromium-browser",
        "/usr/bin/google-chrome",
    ]
    .iter()
    .map(std::path::PathBuf::from)
    .find(|p| p.exists());
    if found.is_none() {
        let required = std::env::var("ONSHI_REQUIRE_CHROMIUM").is_ok_and(|v| v == "1");
        assert!(!required, "chromium is required but not installed");
        eprintln!("skipping: no chromium");
    }
    found
}
