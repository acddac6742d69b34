//! [`IssuerDb`] in SQL.

use super::rows::Row;
use super::SqlDb;
use crate::{DbResult, IssuerDb, TrustedIssuer};
use async_trait::async_trait;
use sqlx::Row as _;

const COLS: &str = "issuer, jwks_uri, audience, name_claim, picture_claim, created_at";

fn issuer(row: &Row) -> DbResult<TrustedIssuer> {
    Ok(TrustedIssuer {
        issuer: row.try_get("issuer")?,
        jwks_uri: row.try_get("jwks_uri")?,
        audience: row.try_get("audience")?,
        name_claim: row.try_get("name_claim")?,
        picture_claim: row.try_get("picture_claim")?,
        created_at: row.try_get("created_at")?,
    })
}

#[async_trait]
impl IssuerDb for SqlDb {
    async fn add_issuer(&self, i: &TrustedIssuer) -> DbResult<bool> {
        let done = sqlx::query(
            "INSERT INTO trusted_issuers (issuer, jwks_uri, audience, name_claim, \
             picture_claim, created_at) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING",
        )
        .bind(&i.issuer)
        .bind(&i.jwks_uri)
        .bind(&i.audience)
        .bind(&i.name_claim)
        .bind(&i.picture_claim)
        .bind(i.created_at)
        .execute(&mut *self.conn().await?)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    async fn issuer(&self, iss: &str) -> DbResult<Option<TrustedIssuer>> {
        let sql = format!("SELECT {COLS} FROM trusted_issuers WHERE issuer = $1");
        let row = sqlx::query(&sql)
            .bind(iss)
            .fetch_optional(&mut *self.conn().await?)
            .await?;
        row.as_ref().map(issuer).transpose()
    }

    async fn list_issuers(&self) -> DbResult<Vec<TrustedIssuer>> {
        let sql = format!("SELECT {COLS} FROM trusted_issuers ORDER BY issuer");
        let rows = sqlx::query(&sql)
            .fetch_all(&mut *self.conn().await?)
            .await?;
        rows.iter().map(issuer).collect()
    }

    async fn remove_issuer(&self, iss: &str) -> DbResult<bool> {
        let done = sqlx::query("DELETE FROM trusted_issuers WHERE issuer = $1")
            .bind(iss)
            .execute(&mut *self.conn().await?)
            .await?;
        Ok(done.rows_affected() == 1)
    }
}
