//! Redis topologies that move under a test: a Cluster slot migrated to another master
//! the way `redis-cli --cluster reshard` does it, and a Sentinel failover from a master
//! to its replica. Every wait is a bounded loop that panics when it runs out.

use crate::redis::{RedisCluster, RedisServer};
use std::process::Command;
use std::time::{Duration, Instant};

/// The longest any topology change may take here.
const LIMIT: Duration = Duration::from_secs(30);

/// Runs `redis-cli -p <port> <args…>` and returns its output, trimmed.
pub fn cli(port: u16, args: &[&str]) -> String {
    let out = Command::new("redis-cli")
        .arg("-p")
        .arg(port.to_string())
        .args(args)
        .output()
        .expect("redis-cli runs");
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

impl RedisCluster {
    /// The hash slot of `key`.
    pub fn slot_of(&self, key: &str) -> u16 {
        cli(self.nodes[0].port, &["CLUSTER", "KEYSLOT", key])
            .parse()
            .expect("a slot number")
    }

    /// The index in [`nodes`](Self::nodes) of the master that owns `slot` now.
    pub fn owner_of(&self, slot: u16) -> usize {
        let id = self.node_id_serving(slot);
        self.nodes
            .iter()
            .position(|n| cli(n.port, &["CLUSTER", "MYID"]) == id)
            .expect("the owner is one of ours")
    }

    fn node_id_serving(&self, slot: u16) -> String {
        let nodes = cli(self.nodes[0].port, &["CLUSTER", "NODES"]);
        for line in nodes.lines() {
            let fields: Vec<&str> = line.split_whitespace().collect();
            for range in fields.iter().skip(8) {
                let (lo, hi) = match range.split_once('-') {
                    Some((lo, hi)) => (lo.parse::<u16>(), hi.parse::<u16>()),
                    None => (range.parse::<u16>(), range.parse::<u16>()),
                };
                if let (Ok(lo), Ok(hi)) = (lo, hi) {
                    if (lo..=hi).contains(&slot) {
                        return fields[0].to_owned();
                    }
                }
            }
        }
        panic!("no node serves slot {slot}: {nodes}")
    }

    /// Moves `slot` with its keys to node `to`, step by step as a resharding does:
    /// `SETSLOT … IMPORTING` on the target, `MIGRATING` on the source, `MIGRATE` of every
    /// key, then `SETSLOT … NODE` on every master.
    pub fn migrate_slot(&self, slot: u16, to: usize) {
        let from = self.owner_of(slot);
        assert_ne!(from, to, "slot {slot} is on node {to} already");
        let (src, dst) = (&self.nodes[from], &self.nodes[to]);
        let (src_id, dst_id) = (
            cli(src.port, &["CLUSTER", "MYID"]),
            cli(dst.port, &["CLUSTER", "MYID"]),
        );
        let s = slot.to_string();
        let ok = |r: String| assert_eq!(r, "OK", "slot {slot} migration step failed");
        ok(cli(
            dst.port,
            &["CLUSTER", "SETSLOT", &s, "IMPORTING", &src_id],
        ));
        ok(cli(
            src.port,
            &["CLUSTER", "SETSLOT", &s, "MIGRATING", &dst_id],
        ));
        let t = Instant::now();
        loop {
            let keys = cli(src.port, &["CLUSTER", "GETKEYSINSLOT", &s, "100"]);
            let keys: Vec<&str> = keys.lines().filter(|k| !k.is_empty()).collect();
            if keys.is_empty() {
                break;
            }
            assert!(t.elapsed() < LIMIT, "keys of slot {slot} never moved");
            let port = dst.port.to_string();
            let mut args = vec!["MIGRATE", "127.0.0.1", &port, "", "0", "5000", "KEYS"];
            args.extend(keys);
            ok(cli(src.port, &args));
        }
        for n in [dst, src] {
            ok(cli(n.port, &["CLUSTER", "SETSLOT", &s, "NODE", &dst_id]));
        }
        for n in self
            .nodes
            .iter()
            .filter(|n| n.port != src.port && n.port != dst.port)
        {
            ok(cli(n.port, &["CLUSTER", "SETSLOT", &s, "NODE", &dst_id]));
        }
    }
}

/// A master, its replica, and one Sentinel watching them: a failover can be forced.
pub struct RedisFailoverPair {
    /// The master at the start.
    pub master: RedisServer,
    /// Its replica, in sync before the Sentinel starts.
    pub replica: RedisServer,
    /// The Sentinel monitoring `mymaster`.
    pub sentinel: RedisServer,
}

impl RedisFailoverPair {
    /// Starts all three and waits until the Sentinel knows the replica.
    pub fn start() -> RedisFailoverPair {
        let master = RedisServer::start();
        let mport = master.port.to_string();
        let replica = RedisServer::start_with(&["--replicaof", "127.0.0.1", &mport]);
        let t = Instant::now();
        while !cli(replica.port, &["INFO", "replication"]).contains("master_link_status:up") {
            assert!(t.elapsed() < LIMIT, "the replica never synced");
            std::thread::sleep(Duration::from_millis(50));
        }
        let conf = master.dir().join("sentinel-pair.conf");
        std::fs::write(
            &conf,
            format!(
                "sentinel monitor mymaster 127.0.0.1 {} 1\n\
                 sentinel down-after-milliseconds mymaster 5000\n\
                 sentinel failover-timeout mymaster 10000\n",
                master.port
            ),
        )
        .expect("sentinel.conf");
        let conf = conf.to_string_lossy().into_owned();
        let sentinel = RedisServer::start_with(&[&conf, "--sentinel"]);
        RedisFailoverPair {
            master,
            replica,
            sentinel,
        }
    }

    /// `redis+sentinel://127.0.0.1:<sentinel port>/mymaster`.
    pub fn url(&self) -> String {
        format!("redis+sentinel://127.0.0.1:{}/mymaster", self.sentinel.port)
    }

    /// The port of the master the Sentinel names now.
    pub fn master_port(&self) -> u16 {
        let addr = cli(
            self.sentinel.port,
            &["SENTINEL", "GET-MASTER-ADDR-BY-NAME", "mymaster"],
        );
        addr.lines()
            .nth(1)
            .and_then(|p| p.parse().ok())
            .expect("the Sentinel names a master")
    }

    /// Forces a failover to the replica (`SENTINEL FAILOVER`, retried while the
    /// Sentinel has not yet seen the replica) and waits until the replica is the master
    /// the Sentinel names and accepts writes.
    pub fn failover(&self) {
        let t = Instant::now();
        while cli(self.sentinel.port, &["SENTINEL", "FAILOVER", "mymaster"]) != "OK" {
            assert!(t.elapsed() < LIMIT, "the Sentinel never failed over");
            std::thread::sleep(Duration::from_millis(200));
        }
        while self.master_port() != self.replica.port
            || !cli(self.replica.port, &["ROLE"]).starts_with("master")
        {
            assert!(t.elapsed() < LIMIT, "the replica never became master");
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}
