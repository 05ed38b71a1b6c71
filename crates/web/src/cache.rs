//! What the server remembers between requests so that a repeated read costs a memory lookup: who a credential
//! (session or API token) is on a given day, and the JSON of roll-ups per (query, caller's reach).
//!
//! Both are valid only for the *data version* they were made at. The version moves with every request that may
//! change something (any method but GET, HEAD and OPTIONS, whatever its answer), when its handler has finished or
//! was dropped: an import, a registry change, a revoked token, a disabled account, a new password or a changed
//! post takes effect for the next request at once. Changes made by another process (the command line on the
//! same database) are seen when an entry expires, at most [`MAX_AGE`] after it was made. Each cache is bounded:
//! the oldest entries leave first.

use std::collections::{HashMap, VecDeque};
use std::hash::Hash;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chainpark_app::passwords::secret_hash;
use chainpark_store::Actor;
use chrono::NaiveDate;

use crate::auth::Caller;

/// An entry is used for at most this long, even when no change on this server moved the version.
pub const MAX_AGE: Duration = Duration::from_secs(60);
/// Credentials remembered at once.
const MAX_CALLERS: usize = 10_000;
/// Bytes of roll-up answers remembered at once.
const MAX_ROLLUP_BYTES: usize = 64 * 1024 * 1024;

/// The server's read caches and the data version they depend on.
pub struct ReadCache {
    version: AtomicU64,
    callers: Mutex<Bounded<CallerKey, Caller>>,
    rollups: Mutex<Bounded<RollupKey, Answer>>,
}

/// A credential on a day: the hash of a session id or of an API token (never the secret itself), and the day of
/// the application's clock, so that a post that ends at midnight ends for the cache too.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CallerKey {
    pub token: bool,
    pub hash: String,
    pub day: NaiveDate,
}

/// A roll-up as one reach sees it: the query string as sent and the digest of the caller's scope.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct RollupKey {
    query: String,
    reach: String,
}

/// A JSON answer and its entity tag.
#[derive(Debug, Clone)]
pub struct Answer {
    pub body: Bytes,
    pub etag: String,
}

impl Default for ReadCache {
    fn default() -> Self {
        ReadCache {
            version: AtomicU64::new(0),
            callers: Mutex::new(Bounded::new(MAX_CALLERS, usize::MAX)),
            rollups: Mutex::new(Bounded::new(usize::MAX, MAX_ROLLUP_BYTES)),
        }
    }
}

impl ReadCache {
    /// The current data version.
    pub fn version(&self) -> u64 {
        self.version.load(Ordering::Acquire)
    }

    /// Something may have changed: nothing remembered before this call is used again.
    pub fn changed(&self) {
        self.version.fetch_add(1, Ordering::AcqRel);
    }

    /// Who this credential is, if it was resolved at the current version less than [`MAX_AGE`] ago.
    pub fn caller(&self, key: &CallerKey) -> Option<Caller> {
        let version = self.version();
        lock(&self.callers).get(key, version, Instant::now())
    }

    /// Remembers who a credential is, as resolved at `version` (read before the store was asked), until
    /// `until` at the latest (the token's expiry).
    pub fn remember_caller(&self, key: CallerKey, caller: Caller, version: u64, until: Instant) {
        lock(&self.callers).insert(key, caller, version, until, 0);
    }

    /// A roll-up's answer for this reach, if it was made at the current version less than [`MAX_AGE`] ago.
    pub fn rollup(&self, query: &str, reach: &str) -> Option<Answer> {
        let version = self.version();
        let key = RollupKey {
            query: query.to_string(),
            reach: reach.to_string(),
        };
        lock(&self.rollups).get(&key, version, Instant::now())
    }

    /// Remembers a roll-up's JSON for this reach, computed at `version` (read before the store was asked), and
    /// gives its answer with the entity tag: a digest of the reach and the body, so that two reaches never share
    /// a tag.
    pub fn remember_rollup(&self, query: &str, reach: &str, body: Bytes, version: u64) -> Answer {
        let answer = Answer {
            etag: entity_tag(reach, &body),
            body,
        };
        let key = RollupKey {
            query: query.to_string(),
            reach: reach.to_string(),
        };
        let size = key.query.len() + key.reach.len() + answer.body.len() + answer.etag.len();
        lock(&self.rollups).insert(key, answer.clone(), version, Instant::now() + MAX_AGE, size);
        answer
    }
}

/// The reach of an actor for the roll-up cache: a digest of everything its scope holds, so that two callers share
/// an answer only when they may see exactly the same.
pub fn reach(actor: &Actor) -> String {
    secret_hash(&format!("{:?}", actor.scope))
}

/// A strong entity tag for `body` as `reach` sees it.
pub fn entity_tag(reach: &str, body: &[u8]) -> String {
    let mut text = String::with_capacity(reach.len() + 1 + body.len());
    text.push_str(reach);
    text.push('\n');
    text.push_str(&String::from_utf8_lossy(body));
    format!("\"{}\"", &secret_hash(&text)[..32])
}

/// A remembered JSON answer: 304 without a body when the request's `If-None-Match` names its tag, else 200 with
/// it. The browser may keep it for this caller only and must ask again each time (`private, no-cache`).
pub fn json_answer(headers: &HeaderMap, answer: Answer) -> Response {
    let fresh = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| none_match(v, &answer.etag));
    let mut response = if fresh {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        (
            [(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            )],
            answer.body,
        )
            .into_response()
    };
    let h = response.headers_mut();
    if let Ok(etag) = HeaderValue::from_str(&answer.etag) {
        h.insert(header::ETAG, etag);
    }
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-cache"),
    );
    h.insert(
        header::VARY,
        HeaderValue::from_static("authorization, cookie"),
    );
    response
}

/// Whether an `If-None-Match` header names `etag` (or is `*`): the client already has this answer.
pub fn none_match(header: &str, etag: &str) -> bool {
    header
        .split(',')
        .map(str::trim)
        .any(|tag| tag == "*" || tag.strip_prefix("W/").unwrap_or(tag) == etag)
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    // A panic while holding the lock leaves a map that is still whole: use it.
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

struct Entry<V> {
    value: V,
    version: u64,
    until: Instant,
    size: usize,
}

/// A map that holds at most `max_entries` entries and `max_bytes` bytes; the oldest insertions leave first.
struct Bounded<K, V> {
    map: HashMap<K, Entry<V>>,
    order: VecDeque<K>,
    bytes: usize,
    max_entries: usize,
    max_bytes: usize,
}

impl<K: Clone + Eq + Hash, V: Clone> Bounded<K, V> {
    fn new(max_entries: usize, max_bytes: usize) -> Self {
        Bounded {
            map: HashMap::new(),
            order: VecDeque::new(),
            bytes: 0,
            max_entries,
            max_bytes,
        }
    }

    fn get(&self, key: &K, version: u64, now: Instant) -> Option<V> {
        self.map
            .get(key)
            .filter(|e| e.version == version && now < e.until)
            .map(|e| e.value.clone())
    }

    fn insert(&mut self, key: K, value: V, version: u64, until: Instant, size: usize) {
        if size > self.max_bytes {
            return;
        }
        let entry = Entry {
            value,
            version,
            until: until.min(Instant::now() + MAX_AGE),
            size,
        };
        match self.map.insert(key.clone(), entry) {
            Some(old) => self.bytes -= old.size,
            None => self.order.push_back(key),
        }
        self.bytes += size;
        while self.map.len() > self.max_entries || self.bytes > self.max_bytes {
            let Some(oldest) = self.order.pop_front() else {
                break;
            };
            if let Some(old) = self.map.remove(&oldest) {
                self.bytes -= old.size;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_oldest_entries_leave_when_the_bytes_run_out() {
        let mut cache = Bounded::new(usize::MAX, 10);
        let until = Instant::now() + MAX_AGE;
        cache.insert("a", 1, 0, until, 4);
        cache.insert("b", 2, 0, until, 4);
        cache.insert("c", 3, 0, until, 4);
        let now = Instant::now();
        assert_eq!(cache.get(&"a", 0, now), None);
        assert_eq!(cache.get(&"b", 0, now), Some(2));
        assert_eq!(cache.get(&"c", 0, now), Some(3));
        assert_eq!(cache.bytes, 8);
    }

    #[test]
    fn an_entry_of_another_version_is_not_used() {
        let mut cache = Bounded::new(4, usize::MAX);
        cache.insert("a", 1, 7, Instant::now() + MAX_AGE, 1);
        assert_eq!(cache.get(&"a", 8, Instant::now()), None);
        assert_eq!(cache.get(&"a", 7, Instant::now()), Some(1));
    }

    #[test]
    fn an_entry_is_not_used_past_its_end() {
        let mut cache = Bounded::new(4, usize::MAX);
        let start = Instant::now();
        cache.insert("a", 1, 0, start + Duration::from_secs(5), 1);
        assert_eq!(cache.get(&"a", 0, start + Duration::from_secs(6)), None);
    }

    #[test]
    fn if_none_match_names_the_tag_in_a_list_or_weakly() {
        assert!(none_match("\"x\", \"abc\"", "\"abc\""));
        assert!(none_match("W/\"abc\"", "\"abc\""));
        assert!(none_match("*", "\"abc\""));
        assert!(!none_match("\"abd\"", "\"abc\""));
    }
}
