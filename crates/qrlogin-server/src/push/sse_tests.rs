//! The SSE stream on a failing store: it ends with one `problem` event, as the
//! WebSocket ends with a problem message, instead of silently.

use super::events;
use crate::config::Config;
use crate::extract::QrPath;
use crate::service::{qr, RequestContext};
use crate::state::AppState;
use async_trait::async_trait;
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::IntoResponse;
use qrlogin_core::{Millis, Plan, QrId, QrSession, SystemClock, TokenHash};
use qrlogin_store::memory::MemoryStore;
use qrlogin_store::{CasOutcome, QrStore, StoreError, StoreResult, Subscription, Transition};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

/// A memory store whose `get` fails once it has answered `reads_left` times.
struct Failing {
    inner: Arc<MemoryStore>,
    reads_left: AtomicUsize,
}

#[async_trait]
impl QrStore for Failing {
    async fn create(&self, s: &QrSession, purge_at: Millis) -> StoreResult<()> {
        self.inner.create(s, purge_at).await
    }
    async fn get(&self, id: &QrId) -> StoreResult<Option<QrSession>> {
        let left = self.reads_left.load(Ordering::SeqCst);
        if left == 0 {
            return Err(StoreError::Unavailable("test: the store went away".into()));
        }
        self.reads_left.store(left - 1, Ordering::SeqCst);
        self.inner.get(id).await
    }
    async fn find_by_poll_hash(&self, hash: &TokenHash) -> StoreResult<Option<QrId>> {
        self.inner.find_by_poll_hash(hash).await
    }
    async fn compare_and_set(
        &self,
        rev: u64,
        s: &QrSession,
        at: Millis,
    ) -> StoreResult<CasOutcome> {
        self.inner.compare_and_set(rev, s, at).await
    }
    async fn transition(&self, id: &QrId, plan: &Plan) -> StoreResult<Transition> {
        self.inner.transition(id, plan).await
    }
    async fn subscribe(&self, id: &QrId) -> StoreResult<Subscription> {
        self.inner.subscribe(id).await
    }
    async fn ping(&self) -> StoreResult<()> {
        Ok(())
    }
    async fn put_ephemeral(&self, key: &str, value: &[u8], until: Millis) -> StoreResult<()> {
        self.inner.put_ephemeral(key, value, until).await
    }
    async fn take_ephemeral(&self, key: &str) -> StoreResult<Option<Vec<u8>>> {
        self.inner.take_ephemeral(key).await
    }
    fn waiters(&self) -> usize {
        self.inner.waiters()
    }
    fn wake_local_waiters(&self) {
        self.inner.wake_local_waiters()
    }
}

#[tokio::test]
async fn an_sse_stream_whose_store_fails_ends_with_a_problem_event() {
    let memory = MemoryStore::new();
    // One read for the poll-token check; the stream's first read then fails.
    let store = Arc::new(Failing {
        inner: memory.clone(),
        reads_left: AtomicUsize::new(1),
    });
    let state = AppState::new(
        crate::startup::shared_state(
            Config::for_tests(),
            store,
            Arc::new(qrlogin_store::MemoryCounters::new(SystemClock::shared())),
            qrlogin_db::open("memory").await.unwrap(),
            SystemClock::shared(),
            "http://test",
        )
        .await
        .unwrap(),
    );
    let created = qr::create(&state, None, RequestContext::default())
        .await
        .unwrap();
    let id = QrId::parse(&created.qr_id).unwrap();
    let mut headers = HeaderMap::new();
    let auth = format!("Bearer {}", created.poll_token);
    headers.insert(header::AUTHORIZATION, HeaderValue::from_str(&auth).unwrap());
    let sse = events(
        State(state),
        QrPath(id),
        crate::extract::ClientIp(None),
        headers,
    )
    .await
    .unwrap();
    let body = sse.into_response().into_body();
    let read = axum::body::to_bytes(body, 64 * 1024);
    let bytes = tokio::time::timeout(std::time::Duration::from_secs(10), read)
        .await
        .expect("the stream ended")
        .unwrap();
    let text = String::from_utf8(bytes.to_vec()).unwrap();
    assert!(text.starts_with("event: problem\n"), "{text}");
    assert!(text.contains(r#""code":"store_unavailable""#), "{text}");
    assert!(!text.contains("event: status"), "{text}");
}
