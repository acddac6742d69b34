//! The server under abuse: password guessing, floods of QR sessions and waiters,
//! spoofed `X-Forwarded-For`, deceptive device names, headers and logs. Each test is an
//! attack that worked before the limit it checks; docs/security.md lists the limits.

mod brute_force;
mod enrollment;
mod entry_points;
mod floods;
mod headers;
mod helpers;
mod logs;
mod proxies;
mod requester;
