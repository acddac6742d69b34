//! `qrlogin accounts list`: every account, as a table or one JSON array.

use crate::accounts_view as view;
use crate::db_cmd::db_failure;
use crate::exit::Failure;
use qrlogin_db::Db;

/// Prints every account: a JSON array with `as_json`, else a table (a hint on stderr
/// when there is none).
pub(super) async fn list(db: &dyn Db, as_json: bool) -> Result<(), Failure> {
    let all = db
        .list_accounts()
        .await
        .map_err(|e| db_failure(e, "listing the accounts"))?;
    if as_json {
        let list: Vec<_> = all.iter().map(view::account_json).collect();
        println!("{}", serde_json::Value::Array(list));
        return Ok(());
    }
    if all.is_empty() {
        eprintln!("No accounts yet: add one with `qrlogin accounts add USERNAME`.");
        return Ok(());
    }
    let width = all
        .iter()
        .map(|a| a.username.as_str().len())
        .max()
        .unwrap_or(8)
        .max(8);
    println!(
        "{:<width$}  {:<8}  {:<26}  DISPLAY NAME",
        "USERNAME", "STATE", "ID"
    );
    for a in &all {
        println!(
            "{:<width$}  {:<8}  {:<26}  {}",
            a.username.as_str(),
            view::state_word(a),
            a.id.as_str(),
            a.display_name
        );
    }
    Ok(())
}
