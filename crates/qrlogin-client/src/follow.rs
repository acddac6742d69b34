//! [`Pc::follow`]: one stream of status changes whatever the transport.
//!
//! SSE first: one request, pushed changes, resumable with `Last-Event-ID`. When SSE
//! cannot be opened (an old server or a proxy answering `404`, a connection error, a
//! non-event-stream body) or breaks without delivering anything new, it falls back to
//! long poll for good, which works through anything that passes plain HTTP.
//!
//! Each version is yielded once, in increasing order (a resumed or re-polled status
//! that is not newer is dropped), the first item is the current status, and the stream
//! ends right after a terminal state. An error the server meant (`401`, `403`, `404
//! qr_not_found`, …) is yielded once and ends the stream: retrying cannot fix it.
//! A long poll that fails for a passing reason (connection error, `429`, `503`) is
//! retried [`MAX_RETRIES`] times, after the server's `Retry-After` or one second.

use crate::error::Error;
use crate::pc::{Pc, StatusStream};
use futures::StreamExt;
use qrlogin_core::api::Status;
use qrlogin_core::ErrorCode;
use std::time::Duration;

/// How long each long poll is held: WeChat's ~25 s, well under the contract's 60 s cap
/// and under common proxy idle timeouts.
pub const LONG_POLL_WAIT: u64 = 25;

/// Consecutive passing failures of the long poll tolerated before giving up.
pub const MAX_RETRIES: u32 = 3;

/// Which transport [`Pc::follow`] and [`Pc::follow_long_poll`] start with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Transport {
    /// SSE, falling back to long poll.
    Auto,
    /// Long poll only.
    LongPoll,
}

/// The state of one follow stream.
struct Follow {
    pc: Pc,
    /// Still trying SSE (false once fallen back to long poll).
    use_sse: bool,
    /// The open SSE stream, if any.
    sse: Option<StatusStream>,
    /// Whether the open SSE stream delivered anything new; a stream that breaks
    /// without progress means SSE does not work here.
    sse_progress: bool,
    /// The last version yielded.
    last: Option<u64>,
    /// A terminal state or a fatal error was yielded.
    done: bool,
    /// Consecutive long-poll failures so far.
    failures: u32,
}

/// Builds the stream; see the module doc.
pub(crate) fn follow(pc: Pc, transport: Transport) -> StatusStream {
    let st = Follow {
        pc,
        use_sse: transport == Transport::Auto,
        sse: None,
        sse_progress: false,
        last: None,
        done: false,
        failures: 0,
    };
    futures::stream::unfold(st, |mut st| async move {
        let item = st.next().await?;
        Some((item, st))
    })
    .boxed()
}

/// Errors that are the server's considered answer about this QR session, not a
/// failure of the transport: switching to long poll would get the same answer.
fn is_final(e: &Error) -> bool {
    matches!(
        e.code(),
        Some(
            ErrorCode::Unauthorized
                | ErrorCode::Forbidden
                | ErrorCode::QrNotFound
                | ErrorCode::QrExpired
                | ErrorCode::InvalidRequest
        )
    )
}

/// Failures that a later try may not meet: the network, overload, a store outage.
fn is_passing(e: &Error) -> bool {
    e.is_transport()
        || matches!(
            e.code(),
            Some(ErrorCode::RateLimited | ErrorCode::StoreUnavailable | ErrorCode::Unavailable)
        )
}

impl Follow {
    async fn next(&mut self) -> Option<Result<Status, Error>> {
        while !self.done {
            let got = if self.use_sse {
                match self.next_sse().await {
                    Ok(Some(status)) => status,
                    Ok(None) => continue, // fell back or reconnecting
                    Err(e) => return Some(self.fail(e)),
                }
            } else {
                let polled = match self.last {
                    Some(v) => self.pc.wait(v, LONG_POLL_WAIT).await,
                    None => self.pc.status().await,
                };
                match polled {
                    Ok(status) => {
                        self.failures = 0;
                        status
                    }
                    Err(e) if is_passing(&e) && self.failures < MAX_RETRIES => {
                        self.failures += 1;
                        let pause = e.retry_after().unwrap_or(Duration::from_secs(1));
                        tokio::time::sleep(pause.min(Duration::from_secs(60))).await;
                        continue;
                    }
                    Err(e) => return Some(self.fail(e)),
                }
            };
            if let Some(new) = self.accept(got) {
                return Some(Ok(new));
            }
        }
        None
    }

    /// The next status from SSE; `Ok(None)` when SSE failed in a way that long poll
    /// (or a reconnect) may get past; `Err` for final answers.
    async fn next_sse(&mut self) -> Result<Option<Status>, Error> {
        if self.sse.is_none() {
            match self.pc.events(self.last).await {
                Ok(s) => {
                    self.sse = Some(s);
                    self.sse_progress = false;
                }
                Err(e) if is_final(&e) => return Err(e),
                Err(_) => {
                    self.use_sse = false;
                    return Ok(None);
                }
            }
        }
        let Some(stream) = self.sse.as_mut() else {
            return Ok(None);
        };
        match stream.next().await {
            Some(Ok(status)) => {
                if self.last.is_none_or(|l| status.version > l) {
                    self.sse_progress = true;
                }
                Ok(Some(status))
            }
            // Broken or closed before a terminal state: reconnect with Last-Event-ID
            // if this connection got somewhere, else give SSE up.
            Some(Err(_)) | None => {
                self.sse = None;
                self.use_sse = self.sse_progress;
                Ok(None)
            }
        }
    }

    /// Keeps only newer versions; marks the end after a terminal state.
    fn accept(&mut self, status: Status) -> Option<Status> {
        if self.last.is_some_and(|l| status.version <= l) {
            return None;
        }
        self.last = Some(status.version);
        if status.state.is_terminal() {
            self.done = true;
            self.sse = None;
        }
        Some(status)
    }

    fn fail(&mut self, e: Error) -> Result<Status, Error> {
        self.done = true;
        self.sse = None;
        Err(e)
    }
}
