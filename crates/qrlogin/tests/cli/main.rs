//! The client subcommands of `qrlogin` as a user runs them from two terminals: the PC
//! (`qrlogin login`) in one process, the phone (`qrlogin phone login`, `qrlogin scan`)
//! in another, against a server on port 0. Exit codes and messages are part of what is
//! tested, since scripts branch on them.

mod errors;
mod helpers;
mod login;
