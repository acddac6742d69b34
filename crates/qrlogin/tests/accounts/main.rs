//! Accounts and the durable database from the outside: the built `qrlogin` binary run
//! as an operator runs it (`accounts …`, `db …`, `serve --db …`), the servers driven
//! over HTTP by the typed client as a phone and a PC would.

mod helpers;
mod input;
mod lifecycle;
mod postgres;
mod restart;
