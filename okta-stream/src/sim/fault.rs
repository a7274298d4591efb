//! Injectable faults of the simulated `/api/v1/logs`.
//!
//! Each request first takes a scripted fault, if any is queued ([`Faults::push`], consumed in
//! order), otherwise draws one with the configured probabilities ([`FaultConfig`]) from a seeded
//! generator. The server then answers accordingly: 500 `E0000009`; a delay before a normal answer;
//! closing the connection without any response; or a normal status and headers with a body cut
//! short.

use std::collections::VecDeque;
use std::sync::Mutex;
use std::time::Duration;

use super::rng::SimRng;

/// One fault.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// 500 with Okta's `E0000009` body.
    ServerError,
    /// Answer normally after a delay.
    Slow(Duration),
    /// Close the connection without sending a response.
    Drop,
    /// Send a 200 status and headers (with the full `Content-Length`), then cut the body short.
    Truncate,
}

impl Fault {
    /// Short name (`5xx`, `slow`, `drop`, `truncate`).
    pub fn name(&self) -> &'static str {
        match self {
            Fault::ServerError => "5xx",
            Fault::Slow(_) => "slow",
            Fault::Drop => "drop",
            Fault::Truncate => "truncate",
        }
    }
}

/// Probabilities (0.0–1.0) of each fault per request.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FaultConfig {
    /// 500 `E0000009`.
    pub server_error: f64,
    /// Slow response.
    pub slow: f64,
    /// Delay of a slow response.
    pub slow_delay: Duration,
    /// Dropped connection.
    pub drop: f64,
    /// Truncated body.
    pub truncate: f64,
}

impl Default for FaultConfig {
    fn default() -> FaultConfig {
        FaultConfig {
            server_error: 0.0,
            slow: 0.0,
            slow_delay: Duration::from_secs(2),
            drop: 0.0,
            truncate: 0.0,
        }
    }
}

impl FaultConfig {
    /// Whether any probability is non-zero.
    pub fn any(&self) -> bool {
        self.server_error > 0.0 || self.slow > 0.0 || self.drop > 0.0 || self.truncate > 0.0
    }
}

/// The fault source of a server.
#[derive(Debug)]
pub struct Faults {
    config: Mutex<FaultConfig>,
    scripted: Mutex<VecDeque<Fault>>,
    rng: Mutex<SimRng>,
}

impl Faults {
    /// Faults with these probabilities, scripted queue and seed.
    pub fn new(config: FaultConfig, scripted: Vec<Fault>, seed: u64) -> Faults {
        Faults {
            config: Mutex::new(config),
            scripted: Mutex::new(scripted.into()),
            rng: Mutex::new(SimRng::new(seed ^ 0xFA17)),
        }
    }

    /// Replaces the probabilities (e.g. to end a period of faults).
    pub fn set_config(&self, config: FaultConfig) {
        *self.config.lock().unwrap_or_else(|p| p.into_inner()) = config;
    }

    /// Queues a fault for an upcoming request.
    pub fn push(&self, fault: Fault) {
        self.scripted
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push_back(fault);
    }

    /// The fault for the next request, if any.
    pub fn next(&self) -> Option<Fault> {
        if let Some(f) = self
            .scripted
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .pop_front()
        {
            return Some(f);
        }
        let c = *self.config.lock().unwrap_or_else(|p| p.into_inner());
        if !c.any() {
            return None;
        }
        let x = self.rng.lock().unwrap_or_else(|p| p.into_inner()).unit();
        let mut edge = c.server_error;
        if x < edge {
            return Some(Fault::ServerError);
        }
        edge += c.drop;
        if x < edge {
            return Some(Fault::Drop);
        }
        edge += c.truncate;
        if x < edge {
            return Some(Fault::Truncate);
        }
        edge += c.slow;
        if x < edge {
            return Some(Fault::Slow(c.slow_delay));
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scripted_first_then_probabilities() {
        let f = Faults::new(
            FaultConfig {
                drop: 1.0,
                ..FaultConfig::default()
            },
            vec![Fault::ServerError],
            1,
        );
        assert_eq!(f.next(), Some(Fault::ServerError));
        assert_eq!(f.next(), Some(Fault::Drop));
        let none = Faults::new(FaultConfig::default(), vec![], 1);
        assert_eq!(none.next(), None);
        none.push(Fault::Truncate);
        assert_eq!(none.next(), Some(Fault::Truncate));
        assert_eq!(none.next(), None);
        let half = Faults::new(
            FaultConfig {
                server_error: 0.5,
                ..FaultConfig::default()
            },
            vec![],
            3,
        );
        let n = (0..1000).filter(|_| half.next().is_some()).count();
        assert!((350..650).contains(&n), "{n}");
        half.set_config(FaultConfig::default());
        assert!((0..100).all(|_| half.next().is_none()));
    }
}
