//! The `--store` URL forms of the Redis backend, parsed into one [`Target`].
//!
//! - `redis://[user:pass@]host:port[/db]`: one server, as the `redis` crate reads it.
//! - `redis+sentinel://[user:pass@]host:port[,host:port…]/master_name[/db]`: the
//!   Sentinels to ask for the current master of `master_name`; `user:pass` and `db`
//!   are for the master, not the Sentinels.
//! - `redis-cluster://[user:pass@]host:port[,host:port…]`: seed nodes of a Cluster.
//! - `rediss://…` and `rediss-cluster://…`: the same over TLS (OpenSSL through
//!   native-tls; the server certificate is verified against the system's trust store,
//!   or `SSL_CERT_FILE`; a `#insecure` suffix skips verification, for tests only).
//!
//! Parsing is separate from connecting so that a typo is reported at once, with the
//! URL's password never echoed back.

use crate::StoreError;

/// Where the store's data lives, as named by the URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Target {
    /// One server (or a proxy in front of several): the URL as given.
    Single(String),
    /// Sentinels that name the master.
    Sentinel {
        /// `(host, port)` of each Sentinel.
        sentinels: Vec<(String, u16)>,
        /// The monitored master's name.
        master: String,
        /// Database on the master.
        db: i64,
        /// Credentials for the master, if any.
        user: Option<String>,
        /// Password for the master, if any.
        password: Option<String>,
    },
    /// Seed nodes of a Cluster, each as a `redis://` URL.
    Cluster(Vec<String>),
}

fn bad(why: &str) -> StoreError {
    StoreError::Unavailable(format!("invalid Redis URL: {why}"))
}

/// Splits `[user:pass@]rest` into credentials and the rest.
fn split_auth(s: &str) -> (Option<String>, Option<String>, &str) {
    match s.rsplit_once('@') {
        None => (None, None, s),
        Some((auth, rest)) => {
            let (user, pass) = match auth.split_once(':') {
                Some((u, p)) => (u, Some(p.to_owned())),
                None => (auth, None),
            };
            let user = (!user.is_empty()).then(|| user.to_owned());
            (user, pass, rest)
        }
    }
}

fn host_port(s: &str) -> Result<(String, u16), StoreError> {
    let (host, port) = s
        .rsplit_once(':')
        .ok_or_else(|| bad("each node must be host:port"))?;
    let port = port.parse().map_err(|_| bad("bad port number"))?;
    let host = host.trim_start_matches('[').trim_end_matches(']');
    if host.is_empty() {
        return Err(bad("empty host"));
    }
    Ok((host.to_owned(), port))
}

/// Reads a `--store` URL of the Redis backend.
pub(crate) fn parse(url: &str) -> Result<Target, StoreError> {
    let (scheme, rest) = url
        .split_once("://")
        .ok_or_else(|| bad("expected scheme://…"))?;
    match scheme {
        "redis" | "rediss" | "redis+unix" | "unix" => Ok(Target::Single(url.to_owned())),
        "redis+sentinel" => {
            let (user, password, rest) = split_auth(rest);
            let mut parts = rest.split('/');
            let hosts = parts.next().unwrap_or_default();
            let master = parts.next().filter(|m| !m.is_empty());
            let master = master.ok_or_else(|| bad("sentinel URL needs /master_name"))?;
            let db = match parts.next() {
                None | Some("") => 0,
                Some(d) => d.parse().map_err(|_| bad("bad database number"))?,
            };
            let sentinels = hosts
                .split(',')
                .map(host_port)
                .collect::<Result<Vec<_>, _>>()?;
            Ok(Target::Sentinel {
                sentinels,
                master: master.to_owned(),
                db,
                user,
                password,
            })
        }
        "redis-cluster" | "rediss-cluster" => {
            let node_scheme = if scheme == "rediss-cluster" {
                "rediss"
            } else {
                "redis"
            };
            let (user, password, hosts) = split_auth(rest);
            let hosts = hosts.trim_end_matches('/');
            let auth = match (&user, &password) {
                (None, None) => String::new(),
                (u, p) => format!(
                    "{}{}@",
                    u.as_deref().unwrap_or(""),
                    p.as_deref().map(|p| format!(":{p}")).unwrap_or_default()
                ),
            };
            let nodes = hosts
                .split(',')
                .map(|h| {
                    host_port(h)?;
                    Ok(format!("{node_scheme}://{auth}{h}"))
                })
                .collect::<Result<Vec<_>, StoreError>>()?;
            Ok(Target::Cluster(nodes))
        }
        _ => Err(bad(
            "scheme must be redis, rediss, redis+sentinel, redis-cluster or rediss-cluster",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_plain_url_is_passed_through_as_one_server() {
        assert_eq!(
            parse("redis://127.0.0.1:6380/2").unwrap(),
            Target::Single("redis://127.0.0.1:6380/2".into())
        );
    }

    #[test]
    fn a_sentinel_url_names_the_sentinels_the_master_and_the_db() {
        let t = parse("redis+sentinel://:pw@h1:26379,h2:26380/mymaster/3").unwrap();
        assert_eq!(
            t,
            Target::Sentinel {
                sentinels: vec![("h1".into(), 26379), ("h2".into(), 26380)],
                master: "mymaster".into(),
                db: 3,
                user: None,
                password: Some("pw".into()),
            }
        );
        assert!(parse("redis+sentinel://h1:26379").is_err());
    }

    #[test]
    fn a_cluster_url_becomes_one_seed_url_per_node() {
        assert_eq!(
            parse("redis-cluster://a:7000,b:7001").unwrap(),
            Target::Cluster(vec!["redis://a:7000".into(), "redis://b:7001".into()])
        );
        assert_eq!(
            parse("redis-cluster://u:p@a:7000").unwrap(),
            Target::Cluster(vec!["redis://u:p@a:7000".into()])
        );
    }

    #[test]
    fn a_bad_url_is_refused_without_echoing_it() {
        let err = parse("redis-cluster://:secretpw@a")
            .unwrap_err()
            .to_string();
        assert!(!err.contains("secretpw"), "{err}");
        assert!(parse("http://x").is_err());
    }

    #[test]
    fn tls_urls_keep_tls_for_one_server_and_for_every_cluster_node() {
        assert_eq!(
            parse("rediss://h:6380/0").unwrap(),
            Target::Single("rediss://h:6380/0".into())
        );
        assert_eq!(
            parse("rediss-cluster://:pw@a:7000,b:7001").unwrap(),
            Target::Cluster(vec![
                "rediss://:pw@a:7000".into(),
                "rediss://:pw@b:7001".into()
            ])
        );
    }
}
