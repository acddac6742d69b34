//! The listener against misbehaving clients: the real server on port 0 with short
//! timeouts, driven over raw sockets (slow, idle, half-sent requests, too many
//! connections) and over HTTPS with a certificate made in the test.

mod cap;
mod helpers;
mod shutdown;
mod timeouts;
mod tls;
