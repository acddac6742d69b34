//! A minimal HTTP/1.1 keep-alive client over a tokio `TcpStream`.
//!
//! Why not reqwest or hyper's pooled client: on a 2-core machine the generator shares
//! the CPU with the server it measures, so every cycle it spends is taken from the
//! server. Requests here are pre-built byte strings written with one `write_all`, and
//! answers are parsed just enough (status line, `Content-Length`) to find the next one.
//! Only `127.0.0.x` addresses are ever dialled (see [`Conn::connect`]).

use std::io;
use std::net::{IpAddr, SocketAddr};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpSocket, TcpStream};

/// One keep-alive connection and its read buffer.
pub struct Conn {
    stream: TcpStream,
    /// Bytes read but not yet consumed; the last answer's body is `buf[body]`.
    buf: Vec<u8>,
    /// Range of the last answer's body in `buf`.
    body: std::ops::Range<usize>,
    /// How many bytes of `buf` the last answer used (dropped before the next read).
    consumed: usize,
}

/// Refuses anything but loopback: the benchmark must never load another machine.
pub fn check_loopback(ip: IpAddr) -> io::Result<()> {
    if ip.is_loopback() {
        Ok(())
    } else {
        Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("{ip} is not a loopback address; the benchmark talks to 127.0.0.x only"),
        ))
    }
}

impl Conn {
    /// Connects to `addr`, from `source` if given (a `127.0.0.x` address: each source
    /// address has its own ~28k ephemeral ports, so 50,000 waiters need several).
    pub async fn connect(addr: SocketAddr, source: Option<IpAddr>) -> io::Result<Self> {
        check_loopback(addr.ip())?;
        let sock = TcpSocket::new_v4()?;
        if let Some(ip) = source {
            check_loopback(ip)?;
            sock.bind(SocketAddr::new(ip, 0))?;
        }
        let stream = sock.connect(addr).await?;
        // Small requests, latency measured: never wait for Nagle.
        stream.set_nodelay(true)?;
        Ok(Self {
            stream,
            buf: Vec::with_capacity(1024),
            body: 0..0,
            consumed: 0,
        })
    }

    /// Writes a whole pre-built request.
    pub async fn send(&mut self, req: &[u8]) -> io::Result<()> {
        self.stream.write_all(req).await
    }

    /// Sends `req` and reads its answer; returns the status code.
    pub async fn roundtrip(&mut self, req: &[u8]) -> io::Result<u16> {
        self.send(req).await?;
        self.read_response().await
    }

    /// The body of the last answer.
    pub fn body(&self) -> &[u8] {
        &self.buf[self.body.clone()]
    }

    /// A header of the last answer read by [`Conn::read_response`] (the first of that
    /// name, case-insensitive): e.g. the `Location` of a `303`.
    pub fn header(&self, name: &str) -> Option<&str> {
        let head = std::str::from_utf8(&self.buf[..self.body.start]).ok()?;
        head.split("\r\n").skip(1).find_map(|line| {
            let (n, v) = line.split_once(':')?;
            n.eq_ignore_ascii_case(name).then(|| v.trim())
        })
    }

    /// Reads more bytes into the buffer; end of stream is an error.
    async fn fill(&mut self) -> io::Result<()> {
        if self.buf.capacity() - self.buf.len() < 512 {
            self.buf.reserve(4096);
        }
        let n = self.stream.read_buf(&mut self.buf).await?;
        if n == 0 {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "server closed the connection",
            ));
        }
        Ok(())
    }

    /// Drops what the previous answer used.
    fn compact(&mut self) {
        if self.consumed > 0 {
            self.buf.drain(..self.consumed);
            self.consumed = 0;
            self.body = 0..0;
        }
    }

    /// Reads the response head; returns (status, head length, content length).
    /// A head without `Content-Length` (a stream) reports `None`.
    pub async fn read_head(&mut self) -> io::Result<(u16, usize, Option<usize>)> {
        self.compact();
        loop {
            if let Some(end) = find(&self.buf, b"\r\n\r\n") {
                let head = &self.buf[..end + 4];
                let (status, len) = parse_head(head)?;
                return Ok((status, end + 4, len));
            }
            if self.buf.len() > 64 * 1024 {
                return Err(bad("response head over 64 KiB"));
            }
            self.fill().await?;
        }
    }

    /// Reads one whole answer with a `Content-Length` body; returns its status.
    pub async fn read_response(&mut self) -> io::Result<u16> {
        let (status, head, len) = self.read_head().await?;
        let len = len.ok_or_else(|| bad("answer without Content-Length"))?;
        while self.buf.len() < head + len {
            self.fill().await?;
        }
        self.body = head..head + len;
        self.consumed = head + len;
        Ok(status)
    }

    /// After [`Conn::read_head`] of a stream (SSE, WebSocket): reads until `needle`
    /// appears in what came after the head, and drops everything up to it. The
    /// pushed JSON carries `"state":"…"` verbatim, whatever the framing around it.
    pub async fn read_until(&mut self, head: usize, needle: &[u8]) -> io::Result<()> {
        if head > 0 {
            self.buf.drain(..head);
        }
        loop {
            if let Some(at) = find(&self.buf, needle) {
                self.buf.drain(..at + needle.len());
                return Ok(());
            }
            self.fill().await?;
        }
    }
}

/// Position of `needle` in `hay`.
pub fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

fn bad(why: &str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, why.to_owned())
}

/// Status code and `Content-Length` of a response head.
fn parse_head(head: &[u8]) -> io::Result<(u16, Option<usize>)> {
    let text = std::str::from_utf8(head).map_err(|_| bad("response head is not UTF-8"))?;
    let mut lines = text.split("\r\n");
    let status_line = lines.next().unwrap_or("");
    let status = status_line
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| bad("bad status line"))?;
    let mut len = None;
    for line in lines {
        if let Some((name, value)) = line.split_once(':') {
            if name.eq_ignore_ascii_case("content-length") {
                len = value.trim().parse().ok();
            }
        }
    }
    Ok((status, len))
}

/// Builds a request: `headers` are extra `(name, value)` pairs; a body is sent as JSON.
pub fn request(method: &str, path: &str, headers: &[(&str, &str)], body: Option<&str>) -> Vec<u8> {
    let body = body.map(|b| ("application/json", b));
    request_typed(method, path, headers, body)
}

/// Builds a request with a body of the given content type (the peer speaks forms).
pub fn request_typed(
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: Option<(&str, &str)>,
) -> Vec<u8> {
    let mut r = format!("{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n");
    for (name, value) in headers {
        r.push_str(name);
        r.push_str(": ");
        r.push_str(value);
        r.push_str("\r\n");
    }
    match body {
        Some((kind, b)) => {
            r.push_str(&format!("Content-Type: {kind}\r\n"));
            r.push_str(&format!("Content-Length: {}\r\n\r\n{b}", b.len()));
        }
        None if method == "POST" => r.push_str("Content-Length: 0\r\n\r\n"),
        None => r.push_str("\r\n"),
    }
    r.into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_head_yields_its_status_and_content_length() {
        let head = b"HTTP/1.1 201 Created\r\ncontent-type: x\r\ncontent-length: 12\r\n\r\n";
        assert_eq!(parse_head(head).unwrap(), (201, Some(12)));
        let stream = b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n";
        assert_eq!(parse_head(stream).unwrap(), (200, None));
    }

    #[test]
    fn a_post_without_body_says_its_length_is_zero() {
        let r = request("POST", "/x", &[("A", "b")], None);
        assert!(r.ends_with(b"A: b\r\nContent-Length: 0\r\n\r\n"));
        let r = request("POST", "/x", &[], Some("{}"));
        assert!(r.ends_with(b"Content-Length: 2\r\n\r\n{}"));
    }

    #[tokio::test]
    async fn a_header_of_the_last_answer_is_found_by_name() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            let (mut s, _) = listener.accept().await.unwrap();
            let mut buf = [0u8; 1024];
            let _ = s.read(&mut buf).await;
            let answer = "HTTP/1.1 303 See Other\r\nlocation: http://127.0.0.1/cb?code=c1\r\ncontent-length: 0\r\n\r\n";
            s.write_all(answer.as_bytes()).await.unwrap();
        });
        let mut conn = Conn::connect(addr, None).await.unwrap();
        let st = conn
            .roundtrip(&request("POST", "/x", &[], None))
            .await
            .unwrap();
        assert_eq!(st, 303);
        assert_eq!(conn.header("Location"), Some("http://127.0.0.1/cb?code=c1"));
        assert_eq!(conn.header("content-type"), None);
    }

    #[test]
    fn only_loopback_addresses_may_be_dialled() {
        assert!(check_loopback("127.0.0.7".parse().unwrap()).is_ok());
        assert!(check_loopback("10.0.0.1".parse().unwrap()).is_err());
    }
}
