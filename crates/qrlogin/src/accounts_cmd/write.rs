//! The commands that change an account: `add`, `passwd`, `disable` and `enable`, with
//! the checks of what they are given (profile, new password) that come before any
//! write.

use super::{find, refuse, username};
use crate::db_cmd::{db_failure, DbArgs};
use crate::exit::Failure;
use qrlogin_core::account::check_password_len;
use qrlogin_core::{AccountId, Clock as _, SystemClock, Username};
use qrlogin_db::{Account, ActivityKind, Db};
use qrlogin_server::service::accounts::hash_password;
use qrlogin_server::service::activity::{self, Details};

/// A display name of 1–128 characters without control characters, and an http(s)
/// avatar URL.
pub(super) fn check_profile(display_name: &str, avatar_url: Option<&str>) -> Result<(), Failure> {
    let n = display_name.chars().count();
    if n == 0 || n > 128 || display_name.chars().any(char::is_control) {
        return Err(refuse(
            "a display name has 1 to 128 characters and no control characters",
        ));
    }
    if let Some(url) = avatar_url {
        let ok = (url.starts_with("https://") || url.starts_with("http://"))
            && url.len() <= 2048
            && !url.chars().any(|c| c.is_whitespace() || c.is_control());
        if !ok {
            return Err(refuse(format!(
                "the avatar URL must be an http:// or https:// URL, got {url:?}"
            )));
        }
    }
    Ok(())
}

/// The new password: the first line of stdin with `--password-stdin`, else asked
/// twice on the terminal; checked for length.
pub(super) fn new_password(from_stdin: bool) -> Result<String, Failure> {
    use std::io::IsTerminal as _;
    let password = if from_stdin {
        let mut line = String::new();
        std::io::stdin()
            .read_line(&mut line)
            .map_err(|e| refuse(format!("cannot read the password from standard input: {e}")))?;
        line.trim_end_matches(['\n', '\r']).to_owned()
    } else if std::io::stdin().is_terminal() {
        let read = |prompt: &str| {
            rpassword::prompt_password(prompt)
                .map_err(|e| refuse(format!("cannot read the password from the terminal: {e}")))
        };
        let first = read("New password: ")?;
        if read("Repeat it: ")? != first {
            return Err(refuse("the two passwords differ; nothing changed"));
        }
        first
    } else {
        return Err(refuse(
            "standard input is not a terminal: give the password on it with --password-stdin",
        ));
    };
    check_password_len(&password).map_err(|e| refuse(format!("{e}; nothing changed")))?;
    Ok(password)
}

/// The argon2 hash of `password` (off the async threads, as the server does it).
async fn hash(password: String) -> Result<String, Failure> {
    hash_password(password)
        .await
        .map_err(|e| refuse(format!("hashing the password failed: {e:#}")))
}

/// `accounts add` with a password: refused if the name is taken, before or during the
/// insert.
pub(super) async fn add(
    db: &dyn Db,
    name: Username,
    display_name: String,
    avatar_url: Option<String>,
    password: String,
) -> Result<(), Failure> {
    let exists = || refuse(format!("an account named {name} already exists"));
    let taken = db
        .account_by_username(&name)
        .await
        .map_err(|e| db_failure(e, "reading the accounts"))?;
    if taken.is_some() {
        return Err(exists());
    }
    let now = SystemClock.now();
    let account = Account {
        id: AccountId::generate(),
        username: name.clone(),
        display_name,
        avatar_url,
        password_hash: Some(hash(password).await?),
        disabled: false,
        created_at: now,
        updated_at: now,
    };
    let created = db
        .create_account(&account)
        .await
        .map_err(|e| db_failure(e, "adding the account"))?;
    if !created {
        return Err(exists());
    }
    println!("{}", account.id);
    Ok(())
}

/// `accounts passwd`: the new hash, which revokes every token, and the activity entry.
pub(super) async fn passwd(
    db: &dyn Db,
    account: &Account,
    password: String,
) -> Result<(), Failure> {
    let hashed = hash(password).await?;
    let now = SystemClock.now();
    let done = db
        .set_password(&account.id, Some(&hashed), now)
        .await
        .map_err(|e| db_failure(e, "setting the password"))?;
    if !done {
        return Err(refuse(format!("no account named {}", account.username)));
    }
    let kind = ActivityKind::PasswordChanged;
    activity::record(db, &account.id, kind, Details::default(), now).await;
    println!(
        "Password of {} changed; every phone and PC of the account is signed out.",
        account.username
    );
    Ok(())
}

/// `accounts disable` / `enable`, logged in the account's activity.
pub(super) async fn set_disabled(db: &DbArgs, raw: &str, disabled: bool) -> Result<(), Failure> {
    let name = username(raw)?;
    let db = db.open().await?;
    let account = find(db.as_ref(), &name).await?;
    let now = SystemClock.now();
    let done = db
        .set_disabled(&account.id, disabled, now)
        .await
        .map_err(|e| db_failure(e, "changing the account"))?;
    if !done {
        return Err(refuse(format!("no account named {name}")));
    }
    let (kind, said) = if disabled {
        (
            ActivityKind::AccountDisabled,
            "disabled; its tokens and sessions no longer work",
        )
    } else {
        (
            ActivityKind::AccountEnabled,
            "enabled; it can sign in again",
        )
    };
    activity::record(db.as_ref(), &account.id, kind, Details::default(), now).await;
    println!("{name} {said}.");
    Ok(())
}
