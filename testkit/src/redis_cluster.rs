//! A real 3-master Redis Cluster on loopback ports (feature `redis-cluster`).

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Three `redis-server --cluster-enabled yes` masters on free 127.0.0.1 ports, joined with
/// `redis-cli --cluster create` (no replicas, `cluster-require-full-coverage no`, so the
/// slots of the other masters keep working while one is down), each with its own
/// directory for `nodes.conf` and its append-only file (`appendfsync always`). Stopped and removed on drop.
#[derive(Debug)]
pub struct RedisCluster {
    nodes: Vec<Node>,
    dir: PathBuf,
}

#[derive(Debug)]
struct Node {
    port: u16,
    child: Option<Child>,
}

fn free_port() -> u16 {
    // The cluster bus listens on port + 10000: both must be free.
    for _ in 0..100 {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .expect("a free loopback port");
        if port < 55_000 && std::net::TcpListener::bind(("127.0.0.1", port + 10_000)).is_ok() {
            return port;
        }
    }
    panic!("no free pair of loopback ports");
}

impl RedisCluster {
    /// Starts the three masters, creates the cluster and waits until it serves every slot.
    ///
    /// # Panics
    ///
    /// When `redis-server` or `redis-cli` is missing or the cluster does not form in 20 s.
    #[must_use]
    pub fn start() -> Self {
        let dir = std::env::temp_dir().join(format!(
            "webhook-testkit-cluster-{}-{}",
            std::process::id(),
            free_port()
        ));
        std::fs::create_dir_all(&dir).expect("a temporary directory");
        let mut cluster = Self {
            nodes: (0..3)
                .map(|_| Node {
                    port: free_port(),
                    child: None,
                })
                .collect(),
            dir,
        };
        for i in 0..3 {
            cluster.restart(i);
        }
        let mut create = Command::new("redis-cli");
        create.arg("--cluster").arg("create");
        for node in &cluster.nodes {
            create.arg(format!("127.0.0.1:{}", node.port));
        }
        let status = create
            .args(["--cluster-replicas", "0", "--cluster-yes"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .expect("redis-cli must be installed (scripts/test.sh installs it)");
        assert!(status.success(), "redis-cli --cluster create failed");
        assert!(
            cluster.wait_ok(Duration::from_secs(20)),
            "the cluster did not form"
        );
        cluster
    }

    /// Starts node `i` (again), with its `nodes.conf` and append-only file.
    ///
    /// # Panics
    ///
    /// When the server does not accept connections within 5 s.
    pub fn restart(&mut self, i: usize) {
        let port = self.nodes[i].port;
        let dir = self.dir.join(port.to_string());
        std::fs::create_dir_all(&dir).expect("a node directory");
        let child = Command::new("redis-server")
            .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
            .args([
                "--cluster-enabled",
                "yes",
                "--cluster-config-file",
                "nodes.conf",
            ])
            .args(["--cluster-node-timeout", "2000"])
            .args(["--cluster-require-full-coverage", "no"])
            .args([
                "--appendonly",
                "yes",
                "--appendfsync",
                "always",
                "--save",
                "",
            ])
            .arg("--dir")
            .arg(&dir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("redis-server must be installed (scripts/test.sh installs it)");
        self.nodes[i].child = Some(child);
        let start = Instant::now();
        while start.elapsed() < Duration::from_secs(5) {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("redis-server did not start on port {port}");
    }

    /// Stops node `i` (SIGKILL); its data stays in its append-only file.
    pub fn stop(&mut self, i: usize) {
        if let Some(mut child) = self.nodes[i].child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Waits until every node that runs says `cluster_state:ok`.
    pub fn wait_ok(&self, timeout: Duration) -> bool {
        let start = Instant::now();
        while start.elapsed() < timeout {
            let ok = self.nodes.iter().filter(|n| n.child.is_some()).all(|n| {
                Command::new("redis-cli")
                    .args(["-p", &n.port.to_string(), "cluster", "info"])
                    .output()
                    .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).contains("cluster_state:ok"))
            });
            if ok {
                return true;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        false
    }

    /// The nodes' URLs, `redis://127.0.0.1:{port}/`.
    #[must_use]
    pub fn urls(&self) -> Vec<String> {
        self.nodes
            .iter()
            .map(|n| format!("redis://127.0.0.1:{}/", n.port))
            .collect()
    }

    /// Node `i`'s port.
    #[must_use]
    pub fn port(&self, i: usize) -> u16 {
        self.nodes[i].port
    }
}

impl Drop for RedisCluster {
    fn drop(&mut self) {
        for i in 0..self.nodes.len() {
            self.stop(i);
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
