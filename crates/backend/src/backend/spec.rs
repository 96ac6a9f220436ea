//! `--backend embedded|http://…|xml+http://…|folder:DIR`.

use std::fmt;
use std::path::PathBuf;
use std::str::FromStr;

/// Which backend to talk to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BackendSpec {
    /// The reference engine in process (no HTTP).
    Embedded,
    /// onshi HTTP JSON at this base URL (`http://127.0.0.1:8080`).
    HttpJson(String),
    /// XML over HTTP at this base URL (written `xml+http://…`).
    XmlHttp(String),
    /// The req/res folder exchange in this directory.
    Folder(PathBuf),
}

impl FromStr for BackendSpec {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        if s == "embedded" {
            return Ok(Self::Embedded);
        }
        if let Some(dir) = s.strip_prefix("folder:") {
            if dir.is_empty() {
                return Err("folder: needs a directory (folder:DIR)".into());
            }
            return Ok(Self::Folder(PathBuf::from(dir)));
        }
        if let Some(rest) = s.strip_prefix("xml+") {
            return check_url(rest).map(Self::XmlHttp);
        }
        if s.starts_with("http://") || s.starts_with("https://") {
            return check_url(s).map(Self::HttpJson);
        }
        Err(format!(
            "backend {s:?}: use embedded, http://HOST:PORT, xml+http://HOST:PORT or folder:DIR"
        ))
    }
}

fn check_url(url: &str) -> Result<String, String> {
    let rest = url
        .strip_prefix("http://")
        .or_else(|| url.strip_prefix("https://"))
        .ok_or_else(|| format!("{url:?} is not an http(s) URL"))?;
    if rest.is_empty() || rest.starts_with('/') {
        return Err(format!("{url:?} has no host"));
    }
    let authority = rest.split('/').next().unwrap_or(rest);
    // `host:port` or `[v6]:port`: a port must be 1–65535.
    let port = match authority.rsplit_once(':') {
        Some((host, port)) if !host.ends_with(':') && !port.contains(']') => Some(port),
        _ => None,
    };
    if let Some(port) = port
        && !matches!(port.parse::<u16>(), Ok(p) if p > 0)
    {
        return Err(format!("{url:?}: port {port:?} is not a port (1–65535)"));
    }
    Ok(url.trim_end_matches('/').to_owned())
}

impl fmt::Display for BackendSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Embedded => f.write_str("embedded"),
            Self::HttpJson(u) => f.write_str(u),
            Self::XmlHttp(u) => write!(f, "xml+{u}"),
            Self::Folder(d) => write!(f, "folder:{}", d.display()),
        }
    }
}

impl BackendSpec {
    /// The client for this backend, or `None` for the embedded one (the caller builds
    /// the reference engine itself). `timeout` bounds each HTTP JSON call (the client's
    /// default when `None`); the XML and folder faces stamp their messages with `clock`.
    /// The one place a `--backend` becomes a client, for every command.
    pub fn client(
        &self,
        clock: onshi_domain::protocol::ServerClock,
        timeout: Option<std::time::Duration>,
    ) -> Option<super::AnyBackend> {
        use super::{AnyBackend, FolderBackend, HttpJsonBackend, XmlHttpBackend};
        Some(match self {
            Self::Embedded => return None,
            Self::HttpJson(u) => AnyBackend::HttpJson(match timeout {
                Some(t) => HttpJsonBackend::with_timeout(u.clone(), t),
                None => HttpJsonBackend::new(u.clone()),
            }),
            Self::XmlHttp(u) => AnyBackend::XmlHttp(XmlHttpBackend::new(u.clone(), clock)),
            Self::Folder(d) => AnyBackend::Folder(FolderBackend::new(d.clone(), clock)),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_form() {
        assert_eq!("embedded".parse::<BackendSpec>(), Ok(BackendSpec::Embedded));
        assert_eq!(
            "http://127.0.0.1:8080/".parse::<BackendSpec>(),
            Ok(BackendSpec::HttpJson("http://127.0.0.1:8080".into()))
        );
        assert_eq!(
            "xml+https://h:1".parse::<BackendSpec>(),
            Ok(BackendSpec::XmlHttp("https://h:1".into()))
        );
        assert_eq!(
            "folder:/tmp/oqs".parse::<BackendSpec>(),
            Ok(BackendSpec::Folder("/tmp/oqs".into()))
        );
        for bad in [
            "",
            "ftp://x",
            "http://",
            "folder:",
            "xml+ftp://x",
            "http://127.0.0.1:99999",
            "http://127.0.0.1:0",
            "http://h:x/",
        ] {
            assert!(bad.parse::<BackendSpec>().is_err(), "{bad}");
        }
        assert!("http://[::1]:8080".parse::<BackendSpec>().is_ok());
        assert!("http://127.0.0.1:8080/base".parse::<BackendSpec>().is_ok());
        assert_eq!(
            BackendSpec::XmlHttp("http://h".into()).to_string(),
            "xml+http://h"
        );
    }
}
