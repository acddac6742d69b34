//! Tests of the SSE parser: the format's corner cases, and the same stream cut into
//! chunks at every possible place.

use super::*;

fn parse_chunks(chunks: &[&[u8]]) -> (Vec<SseEvent>, SseParser) {
    let mut p = SseParser::new();
    let mut out = Vec::new();
    for c in chunks {
        p.feed(c).unwrap();
        while let Some(ev) = p.next_event() {
            out.push(ev);
        }
    }
    (out, p)
}

fn parse(s: &str) -> Vec<SseEvent> {
    parse_chunks(&[s.as_bytes()]).0
}

fn ev(event: &str, data: &str, id: Option<&str>) -> SseEvent {
    SseEvent {
        event: event.into(),
        data: data.into(),
        id: id.map(Into::into),
    }
}

/// What the server sends: comments, a status event with an id, a multi-line data,
/// CRLF and CR line ends, a BOM, non-ASCII text.
const STREAM: &str = "\u{FEFF}: keep-alive\n\nevent: status\nid: 1\ndata: {\"qr_id\":\"q\",\"state\":\"pending\"}\n\n\
: ping\r\nevent: status\r\nid: 2\r\ndata: line one\r\ndata: Al\u{00EF}ce \u{1F600}\r\n\r\n\
event:status\rdata:x\r\r";

fn expected() -> Vec<SseEvent> {
    vec![
        ev("status", r#"{"qr_id":"q","state":"pending"}"#, Some("1")),
        ev("status", "line one\nAl\u{00EF}ce \u{1F600}", Some("2")),
        ev("status", "x", Some("2")),
    ]
}

#[test]
fn a_whole_stream_parses_into_its_events() {
    assert_eq!(parse(STREAM), expected());
}

#[test]
fn a_stream_split_at_any_one_byte_parses_the_same() {
    let bytes = STREAM.as_bytes();
    for i in 0..=bytes.len() {
        let (got, _) = parse_chunks(&[&bytes[..i], &bytes[i..]]);
        assert_eq!(got, expected(), "split at {i}");
    }
}

#[test]
fn a_stream_split_at_any_two_bytes_parses_the_same() {
    let bytes = STREAM.as_bytes();
    for i in 0..=bytes.len() {
        for j in i..=bytes.len() {
            let (got, _) = parse_chunks(&[&bytes[..i], &bytes[i..j], &bytes[j..]]);
            assert_eq!(got, expected(), "split at {i} and {j}");
        }
    }
}

#[test]
fn a_stream_fed_one_byte_at_a_time_parses_the_same() {
    let chunks: Vec<&[u8]> = STREAM.as_bytes().chunks(1).collect();
    assert_eq!(parse_chunks(&chunks).0, expected());
}

#[test]
fn an_event_without_a_name_is_a_message_and_the_id_is_sticky() {
    let got = parse("id: 7\ndata: a\n\ndata: b\n\nid\ndata: c\n\n");
    assert_eq!(
        got,
        vec![
            ev("message", "a", Some("7")),
            ev("message", "b", Some("7")),
            ev("message", "c", Some("")),
        ]
    );
}

#[test]
fn a_block_without_data_dispatches_nothing_but_may_set_the_id() {
    let (got, p) = parse_chunks(&[b"event: status\nid: 9\n\n: only a comment\n\n"]);
    assert!(got.is_empty());
    assert_eq!(p.last_event_id(), Some("9"));
    // Its event name does not leak into the next event.
    assert_eq!(
        parse("event: x\n\ndata: y\n\n"),
        vec![ev("message", "y", None)]
    );
}

#[test]
fn an_unfinished_event_is_not_dispatched() {
    assert!(parse("event: status\ndata: {}\n").is_empty());
    assert!(parse("event: status\ndata: {}").is_empty());
}

#[test]
fn field_values_lose_one_leading_space_only() {
    assert_eq!(parse("data:  two\n\n"), vec![ev("message", " two", None)]);
    assert_eq!(parse("data\n\n"), vec![ev("message", "", None)]);
    assert_eq!(parse("data: a:b\n\n"), vec![ev("message", "a:b", None)]);
}

#[test]
fn unknown_fields_bad_ids_and_retry_are_handled_as_the_spec_says() {
    let (got, p) = parse_chunks(&[b"foo: bar\nid: a\0b\nretry: 1500\nretry: x\ndata: d\n\n"]);
    assert_eq!(got, vec![ev("message", "d", None)]);
    assert_eq!(p.retry(), Some(Duration::from_millis(1500)));
}

#[test]
fn a_line_over_the_limit_is_an_error() {
    let mut p = SseParser::new();
    let big = vec![b'a'; MAX_LINE];
    p.feed(&big).unwrap();
    assert!(matches!(p.feed(b"a"), Err(Error::Decode(_))));
}

#[test]
fn invalid_utf8_does_not_fail_the_stream() {
    let (got, _) = parse_chunks(&[b"data: \xff\n\n"]);
    assert_eq!(got, vec![ev("message", "\u{FFFD}", None)]);
}
