//! A tiny deterministic random source for tests (xorshift64): property tests draw their
//! inputs from it, so that a failure repeats on every run.

/// Xorshift64 with a fixed seed.
pub(crate) struct XorShift(u64);

impl XorShift {
    /// A generator starting from `seed` (zero is replaced, as xorshift would stay at zero).
    pub(crate) fn new(seed: u64) -> XorShift {
        XorShift(seed.max(1))
    }

    /// The next 64 random bits.
    pub(crate) fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    /// A number below `n` (`n` > 0).
    pub(crate) fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }
}
