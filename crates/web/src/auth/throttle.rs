//! Throttling of sign-in attempts. The unit is the pair (account, client address): someone guessing `admin`'s
//! password from one address slows down only that pair, never `admin` signing in from elsewhere, and never the
//! other people behind the same address. After a few failures each further try must wait, twice as long each time,
//! up to a ceiling; nothing is locked. Against one address spraying passwords over many accounts there is a
//! ceiling per address, which spares every account that has signed in from that address before.
//!
//! Time is passed in (`now`), so every rule is tested without sleeping. The state is in memory, per process.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Failed attempts of one (account, address) pair since its last success.
struct Pair {
    failures: u32,
    last: Instant,
    wait_until: Option<Instant>,
}

#[derive(Default)]
struct State {
    pairs: HashMap<(String, String), Pair>,
    /// Attempts from each address over the last `ADDRESS_WINDOW`, oldest first.
    addresses: HashMap<String, VecDeque<Instant>>,
    /// Pairs that signed in successfully, and when last.
    known: HashMap<(String, String), Instant>,
    last_pruned: Option<Instant>,
}

pub struct Throttle {
    state: Mutex<State>,
}

impl Throttle {
    /// Failures of a pair before it must wait.
    pub const FREE_FAILURES: u32 = 3;
    /// The first wait; each further failure doubles it.
    pub const FIRST_WAIT: Duration = Duration::from_secs(5);
    /// The longest wait.
    pub const MAX_WAIT: Duration = Duration::from_secs(15 * 60);
    /// A pair's failures are forgotten this long after the last one.
    pub const FORGET_AFTER: Duration = Duration::from_secs(24 * 3600);
    /// Attempts from one address (any account) over `ADDRESS_WINDOW` above which an account that has never
    /// signed in from there must wait.
    pub const ADDRESS_CEILING: usize = 50;
    pub const ADDRESS_WINDOW: Duration = Duration::from_secs(15 * 60);
    /// How long a successful sign-in from an address exempts that pair from the address ceiling.
    pub const KNOWN_FOR: Duration = Duration::from_secs(30 * 24 * 3600);
    /// How often forgotten entries are removed from memory.
    const PRUNE_EVERY: Duration = Duration::from_secs(60);

    pub fn new() -> Self {
        Throttle {
            state: Mutex::new(State::default()),
        }
    }

    /// The wait after the `n`-th failure past the free ones (n = 0 for the first).
    fn wait_after(n: u32) -> Duration {
        let factor = 1u32.checked_shl(n).unwrap_or(u32::MAX);
        Self::FIRST_WAIT.saturating_mul(factor).min(Self::MAX_WAIT)
    }

    /// Asks to check a password of `username` from `address` at `now`: `Err(wait)` when the pair (or the address,
    /// for an account never signed in from there) must wait first. An allowed attempt counts as a failure until
    /// [`Throttle::succeeded`] says otherwise, so that parallel attempts cannot slip past the count.
    pub fn attempt(&self, username: &str, address: &str, now: Instant) -> Result<(), Duration> {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        state.prune(now);
        let key = (username.to_string(), address.to_string());
        if let Some(pair) = state.pairs.get(&key) {
            if now.saturating_duration_since(pair.last) >= Self::FORGET_AFTER {
                state.pairs.remove(&key);
            } else if let Some(until) = pair.wait_until.filter(|until| *until > now) {
                return Err(until - now);
            }
        }
        let known = state
            .known
            .get(&key)
            .is_some_and(|at| now.saturating_duration_since(*at) < Self::KNOWN_FOR);
        let recent = state.addresses.entry(key.1.clone()).or_default();
        while recent
            .front()
            .is_some_and(|at| now.saturating_duration_since(*at) >= Self::ADDRESS_WINDOW)
        {
            recent.pop_front();
        }
        if !known
            && recent.len() >= Self::ADDRESS_CEILING
            && let Some(oldest) = recent.front()
        {
            return Err(Self::ADDRESS_WINDOW.saturating_sub(now.saturating_duration_since(*oldest)));
        }
        recent.push_back(now);
        let pair = state.pairs.entry(key).or_insert(Pair {
            failures: 0,
            last: now,
            wait_until: None,
        });
        pair.failures += 1;
        pair.last = now;
        if pair.failures >= Self::FREE_FAILURES {
            pair.wait_until = Some(now + Self::wait_after(pair.failures - Self::FREE_FAILURES));
        }
        Ok(())
    }

    /// The password was right: the pair's failures are forgotten, and the pair is known at its address.
    pub fn succeeded(&self, username: &str, address: &str, now: Instant) {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        let key = (username.to_string(), address.to_string());
        state.pairs.remove(&key);
        if let Some(recent) = state.addresses.get_mut(address) {
            recent.pop_back();
        }
        state.known.insert(key, now);
    }
}

impl State {
    /// Drops what no rule looks at any more, at most once a minute, so memory follows recent activity.
    fn prune(&mut self, now: Instant) {
        if self
            .last_pruned
            .is_some_and(|at| now.saturating_duration_since(at) < Throttle::PRUNE_EVERY)
        {
            return;
        }
        self.last_pruned = Some(now);
        let age = |at: Instant| now.saturating_duration_since(at);
        self.pairs
            .retain(|_, pair| age(pair.last) < Throttle::FORGET_AFTER);
        self.addresses.retain(|_, recent| {
            recent
                .back()
                .is_some_and(|at| age(*at) < Throttle::ADDRESS_WINDOW)
        });
        self.known.retain(|_, at| age(*at) < Throttle::KNOWN_FOR);
    }
}

impl Default for Throttle {
    fn default() -> Self {
        Throttle::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ADMIN: &str = "admin";
    const HERE: &str = "10.0.0.1";
    const ELSEWHERE: &str = "10.0.0.2";

    /// `n` failed attempts at `now`, each allowed.
    fn fail(throttle: &Throttle, username: &str, address: &str, now: Instant, n: u32) {
        for _ in 0..n {
            assert_eq!(throttle.attempt(username, address, now), Ok(()));
        }
    }

    #[test]
    fn three_failures_are_free_then_each_further_one_doubles_the_wait() {
        let throttle = Throttle::new();
        let t0 = Instant::now();
        fail(&throttle, ADMIN, HERE, t0, Throttle::FREE_FAILURES - 1);
        fail(&throttle, ADMIN, HERE, t0, 1);
        assert_eq!(
            throttle.attempt(ADMIN, HERE, t0),
            Err(Duration::from_secs(5))
        );
        let t1 = t0 + Duration::from_secs(5);
        fail(&throttle, ADMIN, HERE, t1, 1);
        assert_eq!(
            throttle.attempt(ADMIN, HERE, t1 + Duration::from_secs(3)),
            Err(Duration::from_secs(7)),
            "the second wait is 10 s"
        );
    }

    #[test]
    fn the_wait_never_exceeds_fifteen_minutes() {
        let throttle = Throttle::new();
        let mut now = Instant::now();
        fail(&throttle, ADMIN, HERE, now, Throttle::FREE_FAILURES - 1);
        let mut waits = Vec::new();
        for _ in 0..20 {
            fail(&throttle, ADMIN, HERE, now, 1);
            let wait = throttle.attempt(ADMIN, HERE, now).expect_err("must wait");
            waits.push(wait.as_secs());
            now += wait;
        }
        assert_eq!(waits[..9], [5, 10, 20, 40, 80, 160, 320, 640, 900]);
        assert!(waits[9..].iter().all(|w| *w == 900), "{waits:?}");
    }

    #[test]
    fn a_waiting_pair_never_blocks_the_same_account_from_another_address() {
        let throttle = Throttle::new();
        let now = Instant::now();
        fail(&throttle, ADMIN, HERE, now, Throttle::FREE_FAILURES);
        assert!(throttle.attempt(ADMIN, HERE, now).is_err());
        assert_eq!(throttle.attempt(ADMIN, ELSEWHERE, now), Ok(()));
        assert_eq!(
            throttle.attempt("zhang", HERE, now),
            Ok(()),
            "nor another account from the same address"
        );
    }

    #[test]
    fn the_right_password_forgets_the_failures_of_that_pair() {
        let throttle = Throttle::new();
        let now = Instant::now();
        fail(&throttle, ADMIN, HERE, now, Throttle::FREE_FAILURES - 1);
        throttle.succeeded(ADMIN, HERE, now);
        fail(&throttle, ADMIN, HERE, now, Throttle::FREE_FAILURES - 1);
    }

    #[test]
    fn failures_are_forgotten_a_day_after_the_last_one() {
        let throttle = Throttle::new();
        let now = Instant::now();
        fail(&throttle, ADMIN, HERE, now, Throttle::FREE_FAILURES);
        assert!(throttle.attempt(ADMIN, HERE, now).is_err());
        let later = now + Throttle::FORGET_AFTER;
        // Counted on from three, the second of these would have to wait.
        fail(&throttle, ADMIN, HERE, later, Throttle::FREE_FAILURES);
    }

    #[test]
    fn parallel_attempts_are_counted_before_the_passwords_are_checked() {
        let throttle = Throttle::new();
        let now = Instant::now();
        // Three requests arrive together; none has been answered yet.
        fail(&throttle, ADMIN, HERE, now, Throttle::FREE_FAILURES);
        assert!(throttle.attempt(ADMIN, HERE, now).is_err());
    }

    #[test]
    fn an_address_spraying_many_accounts_waits_but_its_known_users_do_not() {
        let throttle = Throttle::new();
        let t0 = Instant::now();
        fail(&throttle, "li", HERE, t0, 1);
        throttle.succeeded("li", HERE, t0);
        for i in 0..Throttle::ADDRESS_CEILING {
            fail(&throttle, &format!("user{i}"), HERE, t0, 1);
        }
        let t1 = t0 + Duration::from_secs(60);
        assert_eq!(
            throttle.attempt("wang", HERE, t1),
            Err(Throttle::ADDRESS_WINDOW - Duration::from_secs(60)),
            "an account never signed in from the spraying address waits"
        );
        assert_eq!(
            throttle.attempt("li", HERE, t1),
            Ok(()),
            "an account that signed in from there before does not"
        );
        assert_eq!(
            throttle.attempt("wang", ELSEWHERE, t1),
            Ok(()),
            "nor does anyone elsewhere"
        );
        assert_eq!(
            throttle.attempt("wang", HERE, t0 + Throttle::ADDRESS_WINDOW),
            Ok(()),
            "the ceiling lifts when the attempts age out"
        );
    }
}
