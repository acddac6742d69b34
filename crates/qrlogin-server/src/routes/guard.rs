//! What every answer needs from the outside, as one layer: a panicking handler answers
//! 500 `internal` (the process and the other requests go on), and every answer carries
//! `X-Content-Type-Options: nosniff` unless its route set it ([`headers`](super::headers)).
//!
//! One layer, not tower-http's `CatchPanicLayer` and `SetResponseHeaderLayer` stacked:
//! axum wraps a route once per layer, and every level boxes another future that keeps a
//! whole `RouteFuture` (~330 B) for as long as the request is in flight, the minute of a
//! held long poll included. Pinned in `sizes_tests`.

use super::headers::NOSNIFF;
use crate::error::problem;
use axum::extract::Request;
use axum::http::header;
use axum::response::Response;
use qrlogin_core::ErrorCode;
use std::any::Any;
use std::future::Future;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::pin::Pin;
use std::task::{Context, Poll};
use tower::{Layer, Service};

/// The layer: see the module docs.
#[derive(Debug, Clone, Copy, Default)]
pub struct GuardLayer;

impl<S> Layer<S> for GuardLayer {
    type Service = Guard<S>;

    fn layer(&self, inner: S) -> Guard<S> {
        Guard { inner }
    }
}

/// The service of [`GuardLayer`].
#[derive(Debug, Clone)]
pub struct Guard<S> {
    inner: S,
}

impl<S> Service<Request> for Guard<S>
where
    S: Service<Request, Response = Response>,
{
    type Response = Response;
    type Error = S::Error;
    type Future = GuardFuture<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: Request) -> Self::Future {
        // A handler may panic before its first await, inside `call`.
        match catch_unwind(AssertUnwindSafe(|| self.inner.call(req))) {
            Ok(inner) => GuardFuture::Running { inner },
            Err(panic) => GuardFuture::Panicked { panic: Some(panic) },
        }
    }
}

pin_project_lite::pin_project! {
    /// The inner future, or the panic its `call` raised (only the payload: 16 bytes,
    /// so this adds nothing to the inner future's size). The fields are what their
    /// variants say (pin-project-lite takes no docs on them).
    #[allow(missing_docs)]
    #[project = GuardProj]
    pub enum GuardFuture<F> {
        /// The route runs.
        Running { #[pin] inner: F },
        /// `call` panicked; answered at the first poll.
        Panicked { panic: Option<Box<dyn Any + Send>> },
    }
}

impl<F, E> Future for GuardFuture<F>
where
    F: Future<Output = Result<Response, E>>,
{
    type Output = Result<Response, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let res = match self.project() {
            GuardProj::Running { inner } => {
                match catch_unwind(AssertUnwindSafe(|| inner.poll(cx))) {
                    Ok(Poll::Pending) => return Poll::Pending,
                    Ok(Poll::Ready(res)) => res,
                    // The inner future is done for; this answer ends the request, so it
                    // is never polled again.
                    Err(panic) => Ok(on_panic(panic)),
                }
            }
            GuardProj::Panicked { panic } => Ok(on_panic(
                panic.take().unwrap_or_else(|| Box::new("polled again")),
            )),
        };
        Poll::Ready(res.map(nosniff))
    }
}

/// `response` with `X-Content-Type-Options: nosniff`, unless its route set the header.
fn nosniff(mut response: Response) -> Response {
    // One lookup, not a check and an insert.
    response
        .headers_mut()
        .entry(header::X_CONTENT_TYPE_OPTIONS)
        .or_insert(NOSNIFF);
    response
}

/// A panicking handler answers 500 `internal`; the cause goes to the log only.
fn on_panic(err: Box<dyn Any + Send>) -> Response {
    let msg = err
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| err.downcast_ref::<&str>().copied())
        .unwrap_or("unknown panic");
    tracing::error!(panic = msg, "handler panicked");
    problem(ErrorCode::Internal, "internal error; see the server log")
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Body;
    use tower::ServiceExt as _;

    #[tokio::test]
    async fn a_panic_in_call_or_in_poll_answers_500_with_nosniff() {
        let early = tower::service_fn(
            |_: Request| -> std::future::Ready<Result<Response, std::convert::Infallible>> {
                panic!("in call")
            },
        );
        let late = tower::service_fn(|_: Request| async {
            if true {
                panic!("in poll");
            }
            Ok::<Response, std::convert::Infallible>(Response::new(Body::empty()))
        });
        for res in [
            GuardLayer
                .layer(early)
                .oneshot(Request::new(Body::empty()))
                .await,
            GuardLayer
                .layer(late)
                .oneshot(Request::new(Body::empty()))
                .await,
        ] {
            let res = res.unwrap();
            assert_eq!(res.status(), 500);
            assert_eq!(res.headers()[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
        }
    }

    #[tokio::test]
    async fn a_route_that_set_its_own_content_type_options_keeps_them() {
        let svc = tower::service_fn(|_: Request| async {
            let mut res = Response::new(Body::empty());
            res.headers_mut().insert(
                header::X_CONTENT_TYPE_OPTIONS,
                axum::http::HeaderValue::from_static("other"),
            );
            Ok::<_, std::convert::Infallible>(res)
        });
        let res = GuardLayer
            .layer(svc)
            .oneshot(Request::new(Body::empty()))
            .await
            .unwrap();
        assert_eq!(res.headers()[header::X_CONTENT_TYPE_OPTIONS], "other");
    }
}
