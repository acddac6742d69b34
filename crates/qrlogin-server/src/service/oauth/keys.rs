//! Signing keys: made at first start (one ES256 and one RS256, so clients registered
//! for either work at once), kept in the database, rotated by `qrlogin keys rotate`. A
//! retired key stays published until every ID token it signed has expired.

use qrlogin_core::Millis;
use qrlogin_db::{Db, DbError, StoredKey};
use qrlogin_oauth::keys::{active_key, jwks};
use qrlogin_oauth::token::ID_TOKEN_TTL_SECS;
use qrlogin_oauth::verify::LEEWAY_SECS;
use qrlogin_oauth::{Alg, JwkSet, SigningKey};

/// How long a retired key stays published: an ID token's lifetime plus the verifiers'
/// leeway, so every token it signed has expired everywhere when it leaves the JWKS.
pub const RETIRED_KEY_PUBLISHED_MS: Millis = (ID_TOKEN_TTL_SECS + LEEWAY_SECS) * 1000;

/// Both algorithms, ES256 (the default) first.
const ALGS: [Alg; 2] = [Alg::ES256, Alg::RS256];

fn stored(k: &SigningKey) -> StoredKey {
    StoredKey {
        kid: k.kid().to_owned(),
        alg: k.alg().as_str().to_owned(),
        private_pem: k.private_pkcs8_pem().expose().to_owned(),
        created_at: k.created_at(),
        not_after: k.not_after(),
    }
}

/// A new key of `alg`, made off the async threads (RSA generation takes a while).
async fn generate(alg: Alg, now: Millis) -> anyhow::Result<SigningKey> {
    let key = tokio::task::spawn_blocking(move || SigningKey::generate(alg, now)).await??;
    Ok(key)
}

/// Keys already parsed, by kid, with the row they were parsed from. Reading a key from
/// its PEM text (an RSA one above all) cost most of a code exchange's CPU when it was
/// done for every ID token; the rows are still read from the database every time, so a
/// rotation or a retirement on any instance holds from the next request, and a row is
/// parsed again whenever any field of it differs. Parsing is a pure function of the
/// row, so one memo per process is right whichever database the row came from; it
/// holds only the kids of the last read, so it never grows.
static PARSED: std::sync::Mutex<Vec<(StoredKey, SigningKey)>> = std::sync::Mutex::new(Vec::new());

/// The memo's entry for `row`, if that exact row was parsed before.
fn parsed(row: &StoredKey) -> Option<SigningKey> {
    let memo = PARSED
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    memo.iter().find(|(r, _)| r == row).map(|(_, k)| k.clone())
}

/// Every usable key in the database, oldest first. A key that does not parse (written
/// by something else) is logged and left out, not fatal.
pub async fn load(db: &dyn Db) -> Result<Vec<SigningKey>, DbError> {
    let rows = db.signing_keys().await?;
    let mut out = Vec::new();
    let mut memo = Vec::with_capacity(rows.len());
    for k in rows {
        if let Some(key) = parsed(&k) {
            memo.push((k, key.clone()));
            out.push(key);
            continue;
        }
        let alg = match Alg::parse(&k.alg) {
            Ok(a) => a,
            Err(e) => {
                tracing::warn!(kid = %k.kid, error = %e, "signing key with an unknown algorithm left out");
                continue;
            }
        };
        match SigningKey::from_stored(
            k.kid.clone(),
            alg,
            k.private_pem.clone(),
            k.created_at,
            k.not_after,
        ) {
            Ok(key) => {
                memo.push((k, key.clone()));
                out.push(key);
            }
            Err(e) => tracing::warn!(kid = %k.kid, error = %e, "unreadable signing key left out"),
        }
    }
    *PARSED
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner) = memo;
    Ok(out)
}

/// Makes the keys a first start needs: a live key of each algorithm, if there is none.
pub async fn ensure(db: &dyn Db, now: Millis) -> anyhow::Result<()> {
    let keys = load(db).await?;
    for alg in ALGS {
        if active_key(&keys, alg).is_none() {
            let key = generate(alg, now).await?;
            db.put_signing_key(&stored(&key)).await?;
            tracing::info!(kid = key.kid(), alg = alg.as_str(), "signing key made");
        }
    }
    Ok(())
}

/// Rotation: a new key of each algorithm signs from `now` on; the previous ones are
/// retired and stay published for [`RETIRED_KEY_PUBLISHED_MS`]. Keys retired long ago
/// are deleted. Answers the new keys.
pub async fn rotate(db: &dyn Db, now: Millis) -> anyhow::Result<Vec<SigningKey>> {
    let mut made = Vec::new();
    for alg in ALGS {
        let key = generate(alg, now).await?;
        db.put_signing_key(&stored(&key)).await?;
        db.retire_signing_keys(alg.as_str(), key.kid(), now + RETIRED_KEY_PUBLISHED_MS)
            .await?;
        made.push(key);
    }
    db.purge_signing_keys(now).await?;
    Ok(made)
}

/// The key that signs new ID tokens of `alg` now; made if there is none (a database
/// whose keys were all removed heals itself instead of failing every login).
pub async fn signing_key(db: &dyn Db, alg: Alg, now: Millis) -> anyhow::Result<SigningKey> {
    let keys = load(db).await?;
    if let Some(k) = active_key(&keys, alg) {
        return Ok(k.clone());
    }
    let key = generate(alg, now).await?;
    db.put_signing_key(&stored(&key)).await?;
    Ok(key)
}

/// The JWK Set: public halves of every key still published at `now`.
pub async fn key_set(db: &dyn Db, now: Millis) -> Result<JwkSet, DbError> {
    Ok(jwks(&load(db).await?, now))
}
