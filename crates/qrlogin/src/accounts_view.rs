//! What `qrlogin accounts list|show` print: a table or lines for people, JSON for
//! scripts; never the password hash.

use qrlogin_core::time::rfc3339;
use qrlogin_db::Account;
use serde_json::json;

/// The fields shown of an account (never its password hash).
pub fn account_json(a: &Account) -> serde_json::Value {
    json!({
        "id": a.id.as_str(),
        "username": a.username.as_str(),
        "display_name": a.display_name,
        "avatar_url": a.avatar_url,
        "disabled": a.disabled,
        "has_password": a.password_hash.is_some(),
        "created_at": rfc3339(a.created_at),
        "updated_at": rfc3339(a.updated_at),
    })
}

/// `enabled` or `disabled`.
pub fn state_word(a: &Account) -> &'static str {
    if a.disabled {
        "disabled"
    } else {
        "enabled"
    }
}

/// Prints one account as lines, or as one JSON object.
pub fn print_account(a: &Account, as_json: bool) {
    if as_json {
        println!("{}", account_json(a));
        return;
    }
    println!("username:     {}", a.username);
    println!("id:           {}", a.id);
    println!("display name: {}", a.display_name);
    println!("avatar url:   {}", a.avatar_url.as_deref().unwrap_or("-"));
    println!("state:        {}", state_word(a));
    println!(
        "password:     {}",
        if a.password_hash.is_some() {
            "set"
        } else {
            "none"
        }
    );
    println!("created:      {}", rfc3339(a.created_at));
    println!("updated:      {}", rfc3339(a.updated_at));
}
