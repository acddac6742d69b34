//! Private Redis servers for the tests: each on a free loopback port, with nothing
//! saved to disk unless asked, killed when dropped. Never the machine's shared Redis on
//! 6379, so tests can kill, restart and fill their server freely.
//!
//! When `redis-server` is not on the PATH the tests skip with a loud message, except
//! under `CI=true`, where a missing server must fail the run rather than pass it
//! silently (see [`redis_available`]).

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Whether the Redis binaries are here; panics under CI when they are not.
pub fn redis_available() -> bool {
    let ok = Command::new("redis-server")
        .arg("--version")
        .stdout(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !ok {
        if std::env::var("CI").is_ok_and(|v| v == "true") {
            panic!("redis-server is not on the PATH, and CI=true: the Redis tests must run");
        }
        eprintln!("\n*** SKIPPED: redis-server is not on the PATH; Redis tests did not run ***\n");
    }
    ok
}

/// A free loopback port whose cluster bus port (+10000) is free too.
pub fn free_port() -> u16 {
    loop {
        let l = TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = l.local_addr().unwrap().port();
        if port < 55_000 && TcpListener::bind(("127.0.0.1", port + 10_000)).is_ok() {
            return port;
        }
    }
}

/// Sends one inline command and returns the raw reply (enough for readiness checks).
pub fn raw(port: u16, command: &str) -> Option<String> {
    let mut s = TcpStream::connect(("127.0.0.1", port)).ok()?;
    s.set_read_timeout(Some(Duration::from_millis(500))).ok()?;
    s.write_all(format!("{command}\r\n").as_bytes()).ok()?;
    let mut buf = [0u8; 4096];
    let n = s.read(&mut buf).ok()?;
    Some(String::from_utf8_lossy(&buf[..n]).into_owned())
}

/// One private `redis-server` (or Sentinel) process.
pub struct RedisServer {
    /// Its port on 127.0.0.1.
    pub port: u16,
    dir: PathBuf,
    extra: Vec<String>,
    child: Option<Child>,
}

impl RedisServer {
    /// Starts a plain server on a free port; its data dies with it.
    pub fn start() -> RedisServer {
        RedisServer::start_with(&[])
    }

    /// Starts a server that writes every change to its append-only file before
    /// answering (`appendfsync always`), so a [`kill`](Self::kill) loses nothing and a
    /// [`restart`](Self::restart) comes back with the same data: what a production
    /// Redis with AOF does, and what a test of "Redis died and came back, nothing lost
    /// or duplicated" needs.
    pub fn start_persistent() -> RedisServer {
        RedisServer::start_with(&["--appendonly", "yes", "--appendfsync", "always"])
    }

    /// Starts a server with extra `redis-server` arguments; a first one that is not a
    /// `--flag` is a config file.
    pub fn start_with(extra: &[&str]) -> RedisServer {
        let port = free_port();
        let dir = std::env::temp_dir().join(format!("qrl-redis-{}-{port}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let mut s = RedisServer {
            port,
            dir,
            extra: extra.iter().map(|s| s.to_string()).collect(),
            child: None,
        };
        s.restart();
        s
    }

    /// `redis://127.0.0.1:<port>`.
    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    /// Kills the server at once (SIGKILL), as a crash would.
    pub fn kill(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    /// Freezes the server (SIGSTOP): connections stay open but nothing answers, the
    /// way a Redis stuck in a long command, a swap storm or a network black hole looks
    /// to its clients. [`resume`](Self::resume) thaws it.
    pub fn pause(&self) {
        self.signal("-STOP");
    }

    /// Thaws a [`pause`](Self::pause)d server (SIGCONT); it then answers what queued up.
    pub fn resume(&self) {
        self.signal("-CONT");
    }

    fn signal(&self, sig: &str) {
        let pid = self.child.as_ref().expect("the server runs").id();
        let ok = Command::new("kill")
            .args([sig, &pid.to_string()])
            .status()
            .is_ok_and(|s| s.success());
        assert!(ok, "kill {sig} {pid} failed");
    }

    /// Starts it again on the same port and waits until it answers: empty, or with its
    /// data back for a [`start_persistent`](Self::start_persistent) server.
    pub fn restart(&mut self) {
        self.kill();
        let port = self.port.to_string();
        let mut args = vec![
            "--port",
            &port,
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--protected-mode",
            "no",
            "--daemonize",
            "no",
            "--loglevel",
            "warning",
        ];
        let dir = self.dir.to_string_lossy().into_owned();
        args.extend(["--dir", &dir]);
        // A config file (Sentinel's) must come first; `--flags` follow it.
        let (conf, rest) = match self.extra.split_first() {
            Some((first, rest)) if !first.starts_with("--") => (Some(first), rest),
            _ => (None, &self.extra[..]),
        };
        let mut cmd = Command::new("redis-server");
        cmd.args(conf).args(&args).args(rest);
        let child = cmd
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("redis-server starts");
        self.child = Some(child);
        let t = Instant::now();
        while raw(self.port, "PING").is_none_or(|r| !r.contains("PONG")) {
            assert!(
                t.elapsed() < Duration::from_secs(10),
                "redis-server did not start"
            );
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    /// The directory the server may write to (cluster and sentinel config files).
    pub fn dir(&self) -> &PathBuf {
        &self.dir
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        self.kill();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Three cluster-enabled masters on loopback, joined by `redis-cli --cluster create`.
pub struct RedisCluster {
    /// The nodes; dropping them stops the cluster.
    pub nodes: Vec<RedisServer>,
}

impl RedisCluster {
    /// Starts and joins the cluster, and waits until every node reports it `ok`.
    pub fn start() -> RedisCluster {
        let nodes: Vec<RedisServer> = (0..3)
            .map(|_| {
                RedisServer::start_with(&[
                    "--cluster-enabled",
                    "yes",
                    "--cluster-config-file",
                    "nodes.conf",
                    "--cluster-node-timeout",
                    "2000",
                ])
            })
            .collect();
        let addrs: Vec<String> = nodes
            .iter()
            .map(|n| format!("127.0.0.1:{}", n.port))
            .collect();
        let out = Command::new("redis-cli")
            .arg("--cluster")
            .arg("create")
            .args(&addrs)
            .args(["--cluster-replicas", "0", "--cluster-yes"])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .output()
            .expect("redis-cli runs");
        assert!(out.status.success(), "cluster create failed: {out:?}");
        let t = Instant::now();
        for n in &nodes {
            while raw(n.port, "CLUSTER INFO").is_none_or(|r| !r.contains("cluster_state:ok")) {
                assert!(
                    t.elapsed() < Duration::from_secs(20),
                    "cluster never got ok"
                );
                std::thread::sleep(Duration::from_millis(50));
            }
        }
        RedisCluster { nodes }
    }

    /// `redis-cluster://127.0.0.1:p1,127.0.0.1:p2,…`.
    pub fn url(&self) -> String {
        let hosts: Vec<String> = self
            .nodes
            .iter()
            .map(|n| format!("127.0.0.1:{}", n.port))
            .collect();
        format!("redis-cluster://{}", hosts.join(","))
    }
}

/// A master and one Sentinel monitoring it as `mymaster`.
pub struct RedisSentinel {
    /// The monitored master.
    pub master: RedisServer,
    /// The Sentinel process.
    pub sentinel: RedisServer,
}

impl RedisSentinel {
    /// Starts both; the Sentinel reads its (writable) config from the master's dir.
    pub fn start() -> RedisSentinel {
        let master = RedisServer::start();
        let conf = master.dir().join("sentinel.conf");
        std::fs::write(
            &conf,
            format!(
                "sentinel monitor mymaster 127.0.0.1 {} 1\nsentinel down-after-milliseconds mymaster 5000\n",
                master.port
            ),
        )
        .expect("sentinel.conf");
        let conf = conf.to_string_lossy().into_owned();
        let sentinel = RedisServer::start_with(&[&conf, "--sentinel"]);
        RedisSentinel { master, sentinel }
    }

    /// `redis+sentinel://127.0.0.1:<sentinel port>/mymaster`.
    pub fn url(&self) -> String {
        format!("redis+sentinel://127.0.0.1:{}/mymaster", self.sentinel.port)
    }
}
