//! `upward serve`: the output folder over HTTP on loopback, with live reload. Pages get a small
//! script (from a file, so the Content-Security-Policy still holds) that listens to
//! server-sent events: one `reload` after every rebuild, sent once all its files are written,
//! and the build's errors shown over the page until they are fixed.

use std::io::Read;
use std::net::SocketAddr;
use std::path::{Component, Path, PathBuf};
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;
use tiny_http::{Header, Method, Request, Response, StatusCode};

/// The address of the live-reload event stream.
pub const EVENTS: &str = "/__upward/events";
const SCRIPT: &str = "/__upward/live.js";
const LIVE_JS: &str = include_str!("../templates/site/live.js");

#[derive(Debug, Default)]
struct State {
    generation: u64,
    problems: Option<String>,
}

/// What the server and the rebuild loop share.
#[derive(Debug, Default)]
pub struct Live {
    state: Mutex<State>,
    changed: Condvar,
}

impl Live {
    /// Tells every open page that a rebuild finished (with its errors, if any).
    pub fn rebuilt(&self, problems: Option<String>) {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        state.generation += 1;
        state.problems = problems;
        self.changed.notify_all();
    }

    fn wait_after(&self, seen: u64, timeout: Duration) -> (u64, Option<String>) {
        let state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        let (state, _) = self
            .changed
            .wait_timeout_while(state, timeout, |s| s.generation <= seen)
            .unwrap_or_else(|e| e.into_inner());
        (state.generation, state.problems.clone())
    }

    fn current(&self) -> (u64, Option<String>) {
        let state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        (state.generation, state.problems.clone())
    }
}

/// Starts serving `root` on `bind:port` (port 0: any free port); returns the address.
pub fn start(root: PathBuf, bind: &str, port: u16, live: Arc<Live>) -> std::io::Result<SocketAddr> {
    let server = tiny_http::Server::http((bind, port)).map_err(std::io::Error::other)?;
    let address = server
        .server_addr()
        .to_ip()
        .ok_or_else(|| std::io::Error::other("not an IP address"))?;
    let root = Arc::new(std::fs::canonicalize(&root)?);
    std::thread::spawn(move || {
        for request in server.incoming_requests() {
            let root = Arc::clone(&root);
            let live = Arc::clone(&live);
            // A thread per request: an event stream stays open as long as its page.
            std::thread::spawn(move || handle(request, &root, &live));
        }
    });
    Ok(address)
}

/// A response header; names and values here are ASCII without line breaks.
fn header(name: &str, value: &str) -> Header {
    Header::from_bytes(name.as_bytes(), value.as_bytes()).unwrap_or_else(|()| {
        Header::from_bytes(name.as_bytes(), &b""[..]).expect("an empty value is valid")
    })
}

/// The content type of a file, by its extension.
pub fn content_type(path: &Path) -> &'static str {
    match path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        Some("html" | "htm") => "text/html; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("js") => "text/javascript; charset=utf-8",
        Some("json") => "application/json",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        Some("jpg" | "jpeg") => "image/jpeg",
        Some("gif") => "image/gif",
        Some("webp") => "image/webp",
        Some("avif") => "image/avif",
        Some("ico") => "image/x-icon",
        Some("pdf") => "application/pdf",
        Some("txt" | "md") => "text/plain; charset=utf-8",
        Some("xml") => "application/xml",
        Some("woff2") => "font/woff2",
        _ => "application/octet-stream",
    }
}

/// The file a URL path names inside `root`, or `None` when it would leave it: `..` in any
/// spelling, absolute or drive paths, backslashes, and symbolic links pointing outside.
pub fn resolve(root: &Path, url_path: &str) -> Option<PathBuf> {
    let decoded = percent_encoding::percent_decode_str(url_path)
        .decode_utf8()
        .ok()?;
    if decoded.contains('\0') || decoded.contains('\\') {
        return None;
    }
    let mut path = root.to_path_buf();
    for part in decoded.split('/') {
        let component = Path::new(part).components().next();
        match component {
            None => {}
            Some(Component::Normal(name)) if Path::new(part).components().count() == 1 => {
                path.push(name)
            }
            Some(Component::CurDir) => {}
            _ => return None,
        }
    }
    let real = std::fs::canonicalize(&path).ok()?;
    real.starts_with(root).then_some(real)
}

fn respond(request: Request, response: Response<impl Read>) {
    let _ = request.respond(response);
}

fn handle(request: Request, root: &Path, live: &Live) {
    if !matches!(request.method(), Method::Get | Method::Head) {
        respond(
            request,
            Response::from_string("method not allowed").with_status_code(405),
        );
        return;
    }
    let url = request.url().to_owned();
    let path = url.split(['?', '#']).next().unwrap_or("/").to_owned();
    if path == EVENTS {
        return events(request, live);
    }
    if path == SCRIPT {
        let response = Response::from_string(LIVE_JS)
            .with_header(header("Content-Type", "text/javascript; charset=utf-8"))
            .with_header(header("Cache-Control", "no-store"));
        return respond(request, response);
    }
    let Some(file) = resolve(root, &path) else {
        return not_found(request, root);
    };
    if file.is_dir() {
        if !path.ends_with('/') {
            // Pretty URLs: relative links of `/a/b/` pages need the trailing slash.
            let response =
                Response::empty(301).with_header(header("Location", &format!("{path}/")));
            return respond(request, response);
        }
        let index = file.join("index.html");
        if !index.is_file() {
            return not_found(request, root);
        }
        return send_file(request, &index, 200);
    }
    send_file(request, &file, 200)
}

fn not_found(request: Request, root: &Path) {
    let page = root.join("404.html");
    if page.is_file() {
        send_file(request, &page, 404);
    } else {
        respond(
            request,
            Response::from_string("not found").with_status_code(404),
        );
    }
}

fn send_file(request: Request, file: &Path, status: u16) {
    let Ok(mut bytes) = std::fs::read(file) else {
        return respond(
            request,
            Response::from_string("cannot read the file").with_status_code(500),
        );
    };
    let kind = content_type(file);
    if kind.starts_with("text/html") {
        bytes = with_live_script(&bytes);
    }
    let response = Response::from_data(bytes)
        .with_status_code(StatusCode(status))
        .with_header(header("Content-Type", kind))
        .with_header(header("Cache-Control", "no-store"))
        .with_header(header("X-Content-Type-Options", "nosniff"));
    respond(request, response);
}

/// The page with the live-reload script, loaded from a file so the page's policy allows it.
fn with_live_script(html: &[u8]) -> Vec<u8> {
    let tag = format!("<script src=\"{SCRIPT}\" defer></script>");
    let text = String::from_utf8_lossy(html);
    match text.find("</head>") {
        Some(i) => format!("{}{tag}{}", &text[..i], &text[i..]).into_bytes(),
        None => format!("{text}{tag}").into_bytes(),
    }
}

/// A server-sent event stream: `hello` at once, then `reload` or `problems` after each
/// rebuild, and a comment now and then so a closed page ends its stream.
struct EventStream<'a> {
    live: &'a Live,
    seen: u64,
    pending: Vec<u8>,
}

impl EventStream<'_> {
    fn event(name: &str, data: &str) -> Vec<u8> {
        let mut event = format!("event: {name}\n");
        for line in data.lines() {
            event.push_str("data: ");
            event.push_str(line);
            event.push('\n');
        }
        if data.is_empty() {
            event.push_str("data:\n");
        }
        event.push('\n');
        // tiny_http writes through a 1 KiB buffer; a comment pads each event past it so the
        // event leaves at once instead of waiting for the next one.
        event.push(':');
        event.push_str(&" ".repeat(1100));
        event.push_str("\n\n");
        event.into_bytes()
    }
}

impl Read for EventStream<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        while self.pending.is_empty() {
            let (generation, problems) = self.live.wait_after(self.seen, Duration::from_secs(15));
            if generation > self.seen {
                self.seen = generation;
                self.pending = match problems {
                    Some(text) => Self::event("problems", &text),
                    None => Self::event("reload", &generation.to_string()),
                };
            } else {
                self.pending = Self::event("ping", "");
            }
        }
        let n = buf.len().min(self.pending.len());
        buf[..n].copy_from_slice(&self.pending[..n]);
        self.pending.drain(..n);
        Ok(n)
    }
}

fn events(request: Request, live: &Live) {
    let (seen, problems) = live.current();
    let mut stream = EventStream {
        live,
        seen,
        pending: EventStream::event("hello", &seen.to_string()),
    };
    if let Some(text) = problems {
        stream.pending.extend(EventStream::event("problems", &text));
    }
    // Identity encoding with a length no stream reaches: each event is written as it comes.
    let response = Response::new(
        StatusCode(200),
        vec![
            header("Content-Type", "text/event-stream"),
            header("Cache-Control", "no-store"),
        ],
        stream,
        Some(usize::MAX >> 1),
        None,
    )
    .with_chunked_threshold(usize::MAX);
    respond(request, response);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_never_leave_the_root() {
        let dir = tempfile::tempdir().unwrap();
        let root = std::fs::canonicalize(dir.path()).unwrap();
        std::fs::create_dir(root.join("a")).unwrap();
        std::fs::write(root.join("a/index.html"), "x").unwrap();
        assert_eq!(
            resolve(&root, "/a/index.html"),
            Some(root.join("a/index.html"))
        );
        assert_eq!(resolve(&root, "/a/"), Some(root.join("a")));
        for bad in [
            "/../etc/passwd",
            "/%2e%2e/etc/passwd",
            "/a/..%2f..%2fetc",
            "/a/%2E%2E/%2E%2E/",
            "/..\\x",
            "/a%00b",
            "//etc/passwd",
        ] {
            let found = resolve(&root, bad);
            assert!(
                found.as_ref().is_none_or(|p| p.starts_with(&root)),
                "{bad} gave {found:?}"
            );
        }
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink("/etc", root.join("out")).unwrap();
            assert_eq!(resolve(&root, "/out/passwd"), None);
        }
    }
}
