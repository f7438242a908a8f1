//! A local emulator of both vendors, over real HTTP on loopback.
//!
//! - Volcengine OpenAPI: `POST /?Action=ModifyMessage&Version=2020-12-01`, signature checked with
//!   the core's signer, 50 QPS per access key, the documented `ResponseMetadata` envelope.
//! - Easemob REST: `POST /{org}/{app}/token` and `PUT /{org}/{app}/messages/rewrite/{msg_id}`,
//!   with every behaviour of the conformance list (token expiry, every documented error, the rate
//!   limit, the edit limit, concurrent edits, per-type rules, ext merge and replace).
//! - The admin API under `/_emulator/` seeds it, reads state back, injects faults and moves its
//!   clock (see `cli/README.md`).
//!
//! ```no_run
//! use imedit_cli::emulator::{Config, Emulator, Seed};
//! let emulator = Emulator::start(Config::with_seed(Seed::demo()))?;
//! println!("listening on {}", emulator.base_url());
//! # Ok::<(), std::io::Error>(())
//! ```

mod admin;
mod config;
mod easemob;
mod http;
mod state;
mod volcengine;

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::io::{self, Read};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::thread::JoinHandle;
use std::time::Duration;

pub use config::{
    AppSeed, Config, EasemobSeed, MessageSeed, Seed, VolcCredential, VolcMessageSeed, VolcSeed, DEMO_SEED,
};

use self::http::{Req, Resp, MAX_BODY};
use self::state::{LogEntry, State};
use crate::ojson::Json;

/// A small random generator (xorshift64*), seeded from the process's hash keys.
#[derive(Debug)]
pub(crate) struct Rng(Mutex<u64>);

impl Rng {
    fn new() -> Self {
        let mut hasher = RandomState::new().build_hasher();
        hasher.write_u64(state::real_ms());
        Self(Mutex::new(hasher.finish() | 1))
    }

    pub(crate) fn next_u64(&self) -> u64 {
        let mut x = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        *x ^= *x >> 12;
        *x ^= *x << 25;
        *x ^= *x >> 27;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
}

/// What the handlers share.
#[derive(Debug)]
pub(crate) struct Inner {
    state: Mutex<State>,
    /// The seed the emulator started with (`POST /_emulator/reset` goes back to it).
    seed: Seed,
    pub(crate) rng: Rng,
    stopping: AtomicBool,
    stopped: (Mutex<bool>, Condvar),
}

impl Inner {
    pub(crate) fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn request_stop(&self) {
        self.stopping.store(true, Ordering::SeqCst);
    }

    /// Handles one request, whatever its API, and records it.
    fn handle(&self, req: &Req) -> Resp {
        let segments = req.segments();
        let segs: Vec<&str> = segments.iter().map(String::as_str).collect();
        if segs.first() == Some(&"_emulator") {
            return admin::handle(self, req);
        }
        let (operation, reply) = match segs.as_slice() {
            [] => ("volcengine", volcengine::handle(self, req)),
            [org, app, "token"] => ("easemob.token", easemob::token(self, req, org, app)),
            [org, app, "messages", "rewrite", id] => ("easemob.rewrite", easemob::rewrite(self, req, org, app, id)),
            _ => ("other", easemob::not_found(self.lock().clock.now_ms())),
        };
        let mut st = self.lock();
        let status = reply.status;
        st.stats.requests += 1;
        match operation {
            "volcengine" => {
                st.stats.volc_requests += 1;
                *st.stats.volc_statuses.entry(status).or_default() += 1;
            }
            "easemob.token" => {
                st.stats.token_requests += 1;
                *st.stats.token_statuses.entry(status).or_default() += 1;
            }
            "easemob.rewrite" => {
                st.stats.rewrite_requests += 1;
                *st.stats.rewrite_statuses.entry(status).or_default() += 1;
            }
            _ => st.stats.other_requests += 1,
        }
        let seq = st.next_log_seq();
        let time_ms = st.clock.now_ms();
        st.log(LogEntry {
            seq,
            time_ms,
            operation,
            method: req.method.clone(),
            path: req.path.clone(),
            status,
            error: reply.error.clone(),
        });
        reply
    }
}

/// The emulator. Start one with [`Emulator::start`].
#[derive(Debug)]
pub struct Emulator;

impl Emulator {
    /// Starts an emulator on `config.bind:config.port` (port 0: a free port) and serves it on
    /// background threads until the handle is dropped or shut down.
    ///
    /// # Errors
    /// When the seed is invalid, the address is not loopback and `allow_remote` is off, or the
    /// port cannot be bound.
    pub fn start(config: Config) -> io::Result<EmulatorHandle> {
        if !config.bind.is_loopback() && !config.allow_remote {
            return Err(io::Error::new(
                io::ErrorKind::PermissionDenied,
                format!("refusing to listen on {} (not loopback) without allow_remote", config.bind),
            ));
        }
        let state = State::from_seed(&config.seed).map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e))?;
        let server = tiny_http::Server::http(SocketAddr::new(config.bind, config.port))
            .map_err(|e| io::Error::new(io::ErrorKind::AddrNotAvailable, e.to_string()))?;
        let addr = server
            .server_addr()
            .to_ip()
            .ok_or_else(|| io::Error::new(io::ErrorKind::AddrNotAvailable, "the server has no IP address"))?;
        let inner = Arc::new(Inner {
            state: Mutex::new(state),
            seed: config.seed,
            rng: Rng::new(),
            stopping: AtomicBool::new(false),
            stopped: (Mutex::new(false), Condvar::new()),
        });
        let server = Arc::new(server);
        let thread = {
            let inner = Arc::clone(&inner);
            let server = Arc::clone(&server);
            std::thread::Builder::new().name("imedit-emulator".into()).spawn(move || serve(&server, &inner))?
        };
        Ok(EmulatorHandle { addr, inner, server, thread: Some(thread) })
    }
}

/// Accepts requests until asked to stop; each request is handled on its own thread.
fn serve(server: &tiny_http::Server, inner: &Arc<Inner>) {
    while !inner.stopping.load(Ordering::SeqCst) {
        let request = match server.recv_timeout(Duration::from_millis(50)) {
            Ok(Some(request)) => request,
            Ok(None) => continue,
            Err(_) => {
                // An accept error (for example out of file descriptors): wait a little, go on.
                std::thread::sleep(Duration::from_millis(10));
                continue;
            }
        };
        let inner = Arc::clone(inner);
        let spawned = std::thread::Builder::new().name("imedit-emulator-request".into()).spawn(move || {
            respond(&inner, request);
        });
        if spawned.is_err() {
            // Out of threads: the request is dropped, and the client sees a closed connection.
            continue;
        }
    }
    let (done, signal) = &inner.stopped;
    *done.lock().unwrap_or_else(PoisonError::into_inner) = true;
    signal.notify_all();
}

fn respond(inner: &Inner, mut request: tiny_http::Request) {
    let headers =
        request.headers().iter().map(|h| (h.field.as_str().as_str().to_owned(), h.value.as_str().to_owned())).collect();
    let mut body = Vec::new();
    let read = request.as_reader().take(MAX_BODY as u64 + 1).read_to_end(&mut body);
    let mut req = Req::new(request.method().as_str(), request.url(), headers, Vec::new());
    req.truncated = body.len() > MAX_BODY;
    body.truncate(MAX_BODY);
    req.body = body;
    let reply = if read.is_err() { Resp::empty(400) } else { inner.handle(&req) };
    let stop = req.method == "POST" && req.path == "/_emulator/shutdown" && reply.status == 200;
    let mut response = tiny_http::Response::from_data(reply.body).with_status_code(tiny_http::StatusCode(reply.status));
    for (name, value) in reply.headers {
        if let Ok(header) = tiny_http::Header::from_bytes(name.as_bytes(), value.as_bytes()) {
            response.add_header(header);
        }
    }
    // The client may have gone away; nothing to do then.
    let _ = request.respond(response);
    if stop {
        inner.request_stop();
    }
}

/// A running emulator. Dropping it stops the server.
pub struct EmulatorHandle {
    addr: SocketAddr,
    inner: Arc<Inner>,
    server: Arc<tiny_http::Server>,
    thread: Option<JoinHandle<()>>,
}

impl core::fmt::Debug for EmulatorHandle {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("EmulatorHandle").field("addr", &self.addr).finish_non_exhaustive()
    }
}

impl EmulatorHandle {
    /// The address it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The port it listens on.
    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    /// `http://<ip>:<port>`, the origin to point clients at (Easemob `base_url`, Volcengine
    /// host).
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Calls the admin API in-process (no HTTP): `admin("POST", "/_emulator/time",
    /// Some(r#"{"advance_secs": 7200}"#))`. Returns the status and the JSON reply (objects in
    /// their stored order).
    pub fn admin(&self, method: &str, path: &str, body: Option<&str>) -> (u16, Json) {
        let body = body.map(|b| b.as_bytes().to_vec()).unwrap_or_default();
        let reply = self.inner.handle(&Req::new(method, path, Vec::new(), body));
        (reply.status, Json::parse(&reply.body).unwrap_or_default())
    }

    /// Blocks until the emulator stops (`POST /_emulator/shutdown`, or [`Self::shutdown`] from
    /// another thread).
    pub fn wait(&self) {
        let (done, signal) = &self.inner.stopped;
        let mut stopped = done.lock().unwrap_or_else(PoisonError::into_inner);
        while !*stopped {
            stopped = signal.wait(stopped).unwrap_or_else(PoisonError::into_inner);
        }
    }

    /// Stops the server and waits for its accept loop to end.
    pub fn shutdown(mut self) {
        self.stop();
    }

    fn stop(&mut self) {
        self.inner.request_stop();
        self.server.unblock();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Drop for EmulatorHandle {
    fn drop(&mut self) {
        self.stop();
    }
}
