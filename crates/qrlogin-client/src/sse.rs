//! Server-Sent Events: an incremental parser of the `text/event-stream` format
//! (WHATWG HTML, "Parsing an event stream") and the streams built on it.
//!
//! The parser is fed whatever chunks the network delivers: a line, a field, even a
//! CRLF or a multi-byte character may be split across chunks, so it buffers bytes up to
//! a line end and decodes whole lines only. It is pure (no I/O) so every split can be
//! unit-tested.

use crate::error::Error;
use futures::{Stream, StreamExt};
use qrlogin_core::api::Status;
use std::collections::VecDeque;
use std::pin::Pin;
use std::time::Duration;

/// The server promises a keep-alive comment at least every 15 s; three missed ones
/// mean the connection is dead even if TCP has not noticed.
pub const IDLE_TIMEOUT: Duration = Duration::from_secs(45);

/// The longest line accepted. Status events are a few hundred bytes; the cap keeps a
/// broken or hostile server from growing the buffer without bound.
pub const MAX_LINE: usize = 1 << 20;

/// One dispatched event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SseEvent {
    /// The `event:` field; `message` when the server sent none (as browsers do).
    pub event: String,
    /// The `data:` lines joined with `\n`.
    pub data: String,
    /// The last event id seen so far in the stream (`id:` is sticky, per the spec):
    /// what to send as `Last-Event-ID` when resuming after this event.
    pub id: Option<String>,
}

/// A stream of raw SSE events, for tests that check `event:` and `id:` themselves.
pub type SseStream = Pin<Box<dyn Stream<Item = Result<SseEvent, Error>> + Send>>;

/// The incremental `text/event-stream` parser.
#[derive(Debug, Default)]
pub struct SseParser {
    /// Bytes of the current, unfinished line.
    line: Vec<u8>,
    /// The previous chunk ended in CR: a LF opening the next one ends no extra line.
    skip_lf: bool,
    /// Whether a line was finished yet: only the first line may start with a BOM.
    seen_line: bool,
    /// `event:` of the event being built.
    event: String,
    /// `data:` of the event being built, each line followed by `\n`.
    data: String,
    /// The sticky last event id.
    last_id: Option<String>,
    /// The `retry:` reconnection time, if the server sent one.
    retry: Option<u64>,
    /// Events parsed but not taken yet.
    ready: VecDeque<SseEvent>,
}

impl SseParser {
    /// A parser at the start of a stream.
    pub fn new() -> Self {
        Self::default()
    }

    /// Feeds the next chunk of the body. Fails only on a line over [`MAX_LINE`].
    pub fn feed(&mut self, chunk: &[u8]) -> Result<(), Error> {
        for &b in chunk {
            if std::mem::take(&mut self.skip_lf) && b == b'\n' {
                continue;
            }
            match b {
                b'\r' => {
                    self.skip_lf = true;
                    self.end_line();
                }
                b'\n' => self.end_line(),
                _ if self.line.len() >= MAX_LINE => {
                    return Err(Error::Decode("SSE line too long".into()));
                }
                _ => self.line.push(b),
            }
        }
        Ok(())
    }

    /// The next complete event, if one is ready.
    pub fn next_event(&mut self) -> Option<SseEvent> {
        self.ready.pop_front()
    }

    /// The last event id seen, for `Last-Event-ID` on reconnect.
    pub fn last_event_id(&self) -> Option<&str> {
        self.last_id.as_deref()
    }

    /// The server's `retry:` advice.
    pub fn retry(&self) -> Option<Duration> {
        self.retry.map(Duration::from_millis)
    }

    fn end_line(&mut self) {
        let raw = std::mem::take(&mut self.line);
        let mut bytes = &raw[..];
        if !std::mem::replace(&mut self.seen_line, true) {
            bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
        }
        let line = String::from_utf8_lossy(bytes);
        if line.is_empty() {
            self.dispatch();
            return;
        }
        if line.starts_with(':') {
            return; // a comment: the keep-alives
        }
        let (field, value) = match line.split_once(':') {
            Some((f, v)) => (f, v.strip_prefix(' ').unwrap_or(v)),
            None => (&*line, ""),
        };
        match field {
            "event" => self.event = value.to_owned(),
            "data" => {
                self.data.push_str(value);
                self.data.push('\n');
            }
            "id" if !value.contains('\0') => self.last_id = Some(value.to_owned()),
            "retry" if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) => {
                self.retry = value.parse().ok();
            }
            _ => {} // unknown fields are ignored, per the spec
        }
    }

    fn dispatch(&mut self) {
        let event = std::mem::take(&mut self.event);
        let mut data = std::mem::take(&mut self.data);
        if data.is_empty() {
            return; // a block without data dispatches nothing
        }
        data.pop(); // the `\n` after the last data line
        self.ready.push_back(SseEvent {
            event: if event.is_empty() {
                "message".to_owned()
            } else {
                event
            },
            data,
            id: self.last_id.clone(),
        });
    }
}

/// The raw events of a `text/event-stream` response. Ends when the server closes the
/// stream; an event cut off by the close is dropped (as the spec says); a silence of
/// `idle` ends it with [`Error::Idle`].
pub fn event_stream(resp: reqwest::Response, idle: Duration) -> SseStream {
    struct St {
        body: Pin<Box<dyn Stream<Item = reqwest::Result<bytes::Bytes>> + Send>>,
        parser: SseParser,
        done: bool,
    }
    let st = St {
        body: Box::pin(resp.bytes_stream()),
        parser: SseParser::new(),
        done: false,
    };
    futures::stream::unfold(st, move |mut st| async move {
        loop {
            if let Some(ev) = st.parser.next_event() {
                return Some((Ok(ev), st));
            }
            if st.done {
                return None;
            }
            let err = match tokio::time::timeout(idle, st.body.next()).await {
                Ok(Some(Ok(chunk))) => match st.parser.feed(&chunk) {
                    Ok(()) => continue,
                    Err(e) => e,
                },
                Ok(None) => return None,
                Ok(Some(Err(e))) => Error::Transport(e),
                Err(_) => Error::Idle(idle),
            };
            st.done = true;
            return Some((Err(err), st));
        }
    })
    .boxed()
}

/// The `status` events of a stream, decoded. Events of other names are skipped so a
/// newer server may add some; a `status` whose data is not a status is an error.
pub fn status_events(events: SseStream) -> crate::StatusStream {
    events
        .filter_map(|item| async move {
            match item {
                Ok(ev) if ev.event == "status" => Some(crate::decode::<Status>(ev.data.as_bytes())),
                Ok(_) => None,
                Err(e) => Some(Err(e)),
            }
        })
        .boxed()
}

#[cfg(test)]
#[path = "sse_tests.rs"]
mod tests;
