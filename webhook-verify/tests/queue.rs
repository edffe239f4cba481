//! The Redis Stream handoff and its workers against real `redis-server`s on loopback
//! ports: the listener's answers (queued, duplicate, in progress, 503 with the claim
//! released), a worker killed between handling and `XACK`, poison entries dead-lettered
//! after N attempts, a server that would evict data refused at start-up.

#![cfg(feature = "redis")]

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use bytes::Bytes;
use webhook_testkit::{NOW, RedisServer, STANDARD_SECRET};
use webhook_verify::events::State;
use webhook_verify::queue::{Handoff, Processed, Queue, QueueError, Worker};
use webhook_verify::receive::{Receiver, Reply, RequestUrl};
use webhook_verify::replay::{Begin, RedisStore, Replay};
use webhook_verify::{
    Event, EventRouter, FixedClock, Provider, SignOptions, Signer, TokenKey, Verified, Verifier,
};

const STREAM: &str = "hooks";

fn verifier() -> Verifier {
    Verifier::builder(Provider::STANDARD_WEBHOOKS)
        .secret(STANDARD_SECRET)
        .clock(FixedClock::from_unix(NOW))
        .build()
        .unwrap()
}

fn signed(id: &str) -> (Vec<(String, String)>, Bytes) {
    let body = format!(
        r#"{{"type":"user.created","timestamp":"2023-11-14T22:13:20Z","data":{{"n":"{id}"}}}}"#
    );
    let headers = Signer::new(&Provider::STANDARD_WEBHOOKS, STANDARD_SECRET)
        .unwrap()
        .sign(body.as_bytes(), &SignOptions::new().id(id).timestamp(NOW))
        .unwrap();
    (headers, Bytes::from(body))
}

async fn replay(server: &RedisServer) -> Replay {
    Replay::new(RedisStore::connect(&server.url()).await.unwrap())
}

/// Sends one delivery through the receive path into the handoff.
async fn post(handoff: &Handoff, id: &str) -> Reply {
    let (headers, body) = signed(id);
    let delivery = handoff.receiver().receive();
    let limit = delivery.body_limit(&headers).unwrap();
    let chunks = futures_util::stream::iter([Ok::<_, std::io::Error>(body)]);
    let body = delivery.read_body(limit, chunks).await.unwrap();
    let verified = delivery
        .verify(&headers, &RequestUrl::new("/"), body)
        .await
        .unwrap();
    handoff.enqueue(&delivery, verified).await
}

fn verified(id: &str) -> Verified {
    let (headers, body) = signed(id);
    verifier()
        .verify(&webhook_verify::Delivery::new(&headers, &body[..]))
        .unwrap()
        .into_owned()
}

/// A router counting its handler's runs; the handler fails while `fail` says so.
fn counting_router(runs: Arc<AtomicUsize>, fail: bool) -> EventRouter {
    EventRouter::with_state(Provider::STANDARD_WEBHOOKS, runs)
        .on(
            "user.created",
            move |State(runs): State<Arc<AtomicUsize>>, _event: Event| async move {
                runs.fetch_add(1, Ordering::SeqCst);
                if fail {
                    Err(std::io::Error::other("the database said no"))
                } else {
                    Ok(())
                }
            },
        )
        .build()
        .unwrap()
}

async fn until(deadline: Duration, mut done: impl AsyncFnMut() -> bool) -> bool {
    let start = Instant::now();
    while start.elapsed() < deadline {
        if done().await {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    false
}

#[tokio::test]
async fn queued_then_handled_once_and_duplicates_answered() {
    let server = RedisServer::start();
    let queue = Queue::connect(&server.url(), STREAM).await.unwrap();
    let receiver = Receiver::builder(verifier())
        .replay(replay(&server).await)
        .build();
    let handoff = Handoff::new(receiver, queue.clone());

    let reply = post(&handoff, "msg_1").await;
    assert_eq!(
        (reply.status(), reply.body_text().as_ref()),
        (202, "queued")
    );
    assert_eq!(queue.backlog().await.unwrap(), 1);
    // Queued, not yet handled: the sender is told to come back.
    let again = post(&handoff, "msg_1").await;
    assert_eq!(
        (again.status(), again.body_text().as_ref()),
        (409, "in progress")
    );
    assert_eq!(
        queue.backlog().await.unwrap(),
        1,
        "a duplicate is not appended"
    );

    let runs = Arc::new(AtomicUsize::new(0));
    let worker = Worker::builder(
        queue.clone(),
        replay(&server).await,
        counting_router(runs.clone(), false),
    )
    .consumer("w1")
    .build()
    .await
    .unwrap();
    let entries = worker.fetch().await.unwrap();
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0].attempt(), 1);
    let processed = worker.process(&entries[0]).await;
    assert_eq!(processed, Processed::Handled);
    worker.settle(&entries[0], processed).await.unwrap();
    assert_eq!(runs.load(Ordering::SeqCst), 1);
    assert_eq!(
        queue.backlog().await.unwrap(),
        0,
        "acknowledged entries are deleted"
    );

    let done = post(&handoff, "msg_1").await;
    assert_eq!(
        (done.status(), done.body_text().as_ref()),
        (200, "duplicate")
    );
}

#[tokio::test]
async fn sealed_tokens_round_trip_and_unsealed_entries_are_poison() {
    let server = RedisServer::start();
    let key = TokenKey::new("a random key of at least thirty-two bytes").unwrap();
    let queue = Queue::connect(&server.url(), STREAM)
        .await
        .unwrap()
        .token_key(key);
    let receiver = Receiver::builder(verifier())
        .replay(replay(&server).await)
        .build();
    let handoff = Handoff::new(receiver, queue.clone());
    assert_eq!(post(&handoff, "msg_sealed").await.status(), 202);

    // Someone with write access to Redis appends a token of their own.
    let client = redis::Client::open(server.url()).unwrap();
    let mut conn = client.get_multiplexed_async_connection().await.unwrap();
    let forged = serde_json::to_string(&verified("msg_forged")).unwrap();
    let _: String = redis::cmd("XADD")
        .arg(STREAM)
        .arg("*")
        .arg("key")
        .arg(verified("msg_forged").replay_key())
        .arg("ticket")
        .arg("0")
        .arg("token")
        .arg(forged)
        .query_async(&mut conn)
        .await
        .unwrap();

    let runs = Arc::new(AtomicUsize::new(0));
    let worker = Worker::builder(
        queue.clone(),
        replay(&server).await,
        counting_router(runs.clone(), false),
    )
    .build()
    .await
    .unwrap();
    let entries = worker.fetch().await.unwrap();
    assert_eq!(entries.len(), 2);
    assert_eq!(worker.process(&entries[0]).await, Processed::Handled);
    let poison = worker.process(&entries[1]).await;
    assert!(
        matches!(&poison, Processed::Poison(e) if e.contains("token")),
        "{poison:?}"
    );
    worker.settle(&entries[1], poison).await.unwrap();
    assert_eq!(
        runs.load(Ordering::SeqCst),
        1,
        "the forged token ran nothing"
    );
    assert_eq!(queue.dead_letters().await.unwrap(), 1);
}

#[tokio::test]
async fn append_failure_answers_503_and_releases_the_claim() {
    let replay_server = RedisServer::start();
    let mut queue_server = RedisServer::start();
    let queue = Queue::connect(&queue_server.url(), STREAM).await.unwrap();
    let replay = replay(&replay_server).await;
    let receiver = Receiver::builder(verifier()).replay(replay.clone()).build();
    let handoff = Handoff::new(receiver, queue);

    queue_server.stop();
    let reply = post(&handoff, "msg_lost").await;
    assert_eq!(
        (reply.status(), reply.body_text().as_ref()),
        (503, "service unavailable")
    );
    // The claim was released: the sender's retry is taken at once, not after the lease.
    match replay.begin(&verified("msg_lost")).await.unwrap() {
        Begin::New(claim) => claim.release().await.unwrap(),
        other => panic!("the claim was not released: {other:?}"),
    }

    // Once the queue's server is back, the retry is queued.
    queue_server.restart();
    let ok = until(Duration::from_secs(5), async || {
        post(&handoff, "msg_lost").await.status() == 202
    })
    .await;
    assert!(ok, "the retry was not queued after the server came back");
}

#[tokio::test]
async fn a_worker_killed_between_handling_and_ack_is_not_run_twice() {
    let server = RedisServer::start();
    let queue = Queue::connect(&server.url(), STREAM).await.unwrap();
    let receiver = Receiver::builder(verifier())
        .replay(replay(&server).await)
        .build();
    let handoff = Handoff::new(receiver, queue.clone());
    assert_eq!(post(&handoff, "msg_crash").await.status(), 202);

    let runs = Arc::new(AtomicUsize::new(0));
    // Worker A reads the entry, runs the handler and commits, and dies before XACK: the
    // entry stays in its pending list.
    {
        let a = Worker::builder(
            queue.clone(),
            replay(&server).await,
            counting_router(runs.clone(), false),
        )
        .consumer("a")
        .build()
        .await
        .unwrap();
        let entries = a.fetch().await.unwrap();
        assert_eq!(entries.len(), 1);
        assert_eq!(a.process(&entries[0]).await, Processed::Handled);
        drop(a);
    }
    assert_eq!(runs.load(Ordering::SeqCst), 1);
    assert_eq!(queue.backlog().await.unwrap(), 1, "not acknowledged");

    // Worker B claims it after the idle timeout, finds it committed, acknowledges it.
    let b = Worker::builder(
        queue.clone(),
        replay(&server).await,
        counting_router(runs.clone(), false),
    )
    .consumer("b")
    .idle_timeout(Duration::from_millis(200))
    .build()
    .await
    .unwrap();
    let check = queue.clone();
    let stats = b
        .run(async move {
            until(Duration::from_secs(10), async || {
                check.backlog().await.unwrap() == 0
            })
            .await;
        })
        .await
        .unwrap();
    assert_eq!(
        queue.backlog().await.unwrap(),
        0,
        "worker b did not take the entry"
    );
    assert_eq!(runs.load(Ordering::SeqCst), 1, "the handler ran twice");
    assert_eq!((stats.handled, stats.duplicates), (0, 1));
}

#[tokio::test]
async fn a_worker_killed_before_the_commit_leaves_the_delivery_to_another() {
    let server = RedisServer::start();
    let queue = Queue::connect(&server.url(), STREAM).await.unwrap();
    let replay_short = || async { replay(&server).await.lease(Duration::from_millis(300)) };
    let receiver = Receiver::builder(verifier())
        .replay(replay_short().await)
        .build();
    let handoff = Handoff::new(receiver, queue.clone());
    assert_eq!(post(&handoff, "msg_fail_then_die").await.status(), 202);

    // Worker A's handler fails, and A dies before its retry: the claim it holds ends with
    // its lease, the entry with the idle timeout.
    let failed = Arc::new(AtomicUsize::new(0));
    {
        let a = Worker::builder(
            queue.clone(),
            replay_short().await,
            counting_router(failed.clone(), true),
        )
        .consumer("a")
        .build()
        .await
        .unwrap();
        let entries = a.fetch().await.unwrap();
        let processed = a.process(&entries[0]).await;
        assert!(
            matches!(&processed, Processed::Failed(e) if e.contains("the database said no")),
            "{processed:?}"
        );
    }
    let runs = Arc::new(AtomicUsize::new(0));
    let b = Worker::builder(
        queue.clone(),
        replay_short().await,
        counting_router(runs.clone(), false),
    )
    .consumer("b")
    .idle_timeout(Duration::from_millis(200))
    .backoff(Duration::from_millis(20))
    .build()
    .await
    .unwrap();
    let check = queue.clone();
    let stats = b
        .run(async move {
            until(Duration::from_secs(10), async || {
                check.backlog().await.unwrap() == 0
            })
            .await;
        })
        .await
        .unwrap();
    assert_eq!(
        (failed.load(Ordering::SeqCst), runs.load(Ordering::SeqCst)),
        (1, 1)
    );
    assert_eq!(stats.handled, 1);
    let done = post(&handoff, "msg_fail_then_die").await;
    assert_eq!(
        (done.status(), done.body_text().as_ref()),
        (200, "duplicate")
    );
}

#[tokio::test]
async fn poison_entries_reach_the_dead_letter_stream_after_n_attempts() {
    let server = RedisServer::start();
    let queue = Queue::connect(&server.url(), STREAM).await.unwrap();
    let receiver = Receiver::builder(verifier())
        .replay(replay(&server).await)
        .build();
    let handoff = Handoff::new(receiver, queue.clone());
    assert_eq!(post(&handoff, "msg_poison").await.status(), 202);
    assert_eq!(post(&handoff, "msg_fine").await.status(), 202);

    let runs = Arc::new(AtomicUsize::new(0));
    let router = EventRouter::with_state(Provider::STANDARD_WEBHOOKS, runs.clone())
        .on(
            "user.created",
            |State(runs): State<Arc<AtomicUsize>>, event: Event| async move {
                if event.data()["n"] == "msg_poison" {
                    runs.fetch_add(1, Ordering::SeqCst);
                    return Err(std::io::Error::other("cannot handle this one"));
                }
                Ok(())
            },
        )
        .build()
        .unwrap();
    let worker = Worker::builder(queue.clone(), replay(&server).await, router)
        .max_attempts(3)
        .backoff(Duration::from_millis(10))
        .build()
        .await
        .unwrap();
    let check = queue.clone();
    let stats = worker
        .run(async move {
            until(Duration::from_secs(10), async || {
                check.dead_letters().await.unwrap() == 1
            })
            .await;
        })
        .await
        .unwrap();
    assert_eq!(runs.load(Ordering::SeqCst), 3, "three attempts");
    assert_eq!(
        (stats.handled, stats.retried, stats.dead_lettered),
        (1, 2, 1)
    );
    assert_eq!(queue.backlog().await.unwrap(), 0);

    let client = redis::Client::open(server.url()).unwrap();
    let mut conn = client.get_multiplexed_async_connection().await.unwrap();
    let dead: redis::streams::StreamRangeReply = redis::cmd("XRANGE")
        .arg(queue.dead_letter_key(0))
        .arg("-")
        .arg("+")
        .query_async(&mut conn)
        .await
        .unwrap();
    let entry = &dead.ids[0];
    assert_eq!(entry.get::<String>("attempts").as_deref(), Some("3"));
    let error = entry.get::<String>("error").unwrap();
    assert!(error.contains("cannot handle this one"), "{error}");
    assert_eq!(
        entry.get::<String>("key"),
        Some(verified("msg_poison").replay_key())
    );
    // The dead-lettered delivery's claim was released: a sender's retry is queued again.
    assert_eq!(post(&handoff, "msg_poison").await.status(), 202);
}

#[tokio::test]
async fn a_server_that_evicts_is_refused_and_one_without_aof_accepted() {
    let evicting =
        RedisServer::start_with(&["--maxmemory", "64mb", "--maxmemory-policy", "allkeys-lru"]);
    let error = Queue::connect(&evicting.url(), STREAM).await.unwrap_err();
    assert!(
        matches!(&error, QueueError::Unsafe(m) if m.contains("allkeys-lru")),
        "{error}"
    );

    let plain = RedisServer::start();
    let queue = Queue::connect(&plain.url(), STREAM).await.unwrap();
    let durability = queue.durability().await.unwrap();
    assert!(!durability.aof && !durability.evicts());
    assert_eq!(durability.warnings().len(), 1);
}

/// The replay store and the stream handoff on a real 3-master Redis Cluster: one master
/// stopped mid-run answers 503 for its slots (the others keep accepting), recovers when it
/// returns, and every delivery accepted is handled once by a worker reading every shard.
#[cfg(feature = "redis-cluster")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cluster_loses_nothing_accepted_while_a_master_is_down() {
    use std::collections::{HashMap, HashSet};
    use std::sync::Mutex;
    use webhook_testkit::RedisCluster;

    let mut cluster = tokio::task::spawn_blocking(RedisCluster::start)
        .await
        .unwrap();
    let urls = cluster.urls();
    let nodes: Vec<&str> = urls.iter().map(String::as_str).collect();
    let store = RedisStore::connect_cluster(&nodes).await.unwrap();
    let queue = Queue::connect_cluster(&nodes, STREAM)
        .await
        .unwrap()
        .shards(6);
    assert_eq!(queue.stream_key(0), "hooks:{0}");
    // A claim whose release failed too ends with this lease (the sender gets 409 until).
    let receiver = Receiver::builder(verifier())
        .replay(Replay::new(store.clone()).lease(Duration::from_secs(3)))
        .build();
    let handoff = Handoff::new(receiver, queue.clone());

    let mut accepted = HashSet::new();
    for i in 0..30 {
        let id = format!("msg_{i}");
        assert_eq!(post(&handoff, &id).await.status(), 202, "{id}");
        accepted.insert(id);
    }
    cluster.stop(1);
    let mut refused = Vec::new();
    for i in 30..90 {
        let id = format!("msg_{i}");
        match post(&handoff, &id).await.status() {
            202 => {
                accepted.insert(id);
            }
            503 => refused.push(id),
            status => panic!("{id}: {status}"),
        }
    }
    assert!(
        !refused.is_empty(),
        "no delivery touched the stopped master's slots"
    );
    assert!(
        accepted.len() > 30,
        "the other masters stopped accepting too"
    );

    cluster.restart(1);
    let start = Instant::now();
    while !refused.is_empty() && start.elapsed() < Duration::from_secs(30) {
        let mut still = Vec::new();
        for id in refused {
            let status = post(&handoff, &id).await.status();
            if status == 202 {
                accepted.insert(id);
            } else {
                eprintln!("{id}: {status}");
                still.push(id);
            }
        }
        refused = still;
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert!(
        refused.is_empty(),
        "not accepted after the master returned: {refused:?}"
    );
    assert_eq!(accepted.len(), 90);

    let handled: Arc<Mutex<HashMap<String, usize>>> = Arc::default();
    let router = EventRouter::with_state(Provider::STANDARD_WEBHOOKS, handled.clone())
        .on(
            "user.created",
            |State(handled): State<Arc<Mutex<HashMap<String, usize>>>>, event: Event| async move {
                let id = event.id().unwrap_or_default().to_owned();
                *handled.lock().unwrap().entry(id).or_default() += 1;
                Ok::<_, std::io::Error>(())
            },
        )
        .build()
        .unwrap();
    let worker = Worker::builder(queue.clone(), Replay::new(store), router)
        .build()
        .await
        .unwrap();
    let check = queue.clone();
    let stats = worker
        .run(async move {
            until(Duration::from_secs(30), async || {
                check.backlog().await.unwrap() == 0
            })
            .await;
        })
        .await
        .unwrap();
    let handled = handled.lock().unwrap().clone();
    let missing: Vec<_> = accepted
        .iter()
        .filter(|id| !handled.contains_key(*id))
        .collect();
    assert_eq!(
        handled.len(),
        90,
        "every accepted delivery handled; {stats:?}, {} dead letters, missing {missing:?}",
        queue.dead_letters().await.unwrap()
    );
    assert!(handled.values().all(|&n| n == 1), "each once: {handled:?}");
    let ids: HashSet<String> = handled.into_keys().collect();
    assert_eq!(ids, accepted);
}
