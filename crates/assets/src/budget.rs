//! One memory budget for decoding pictures, shared by every thread that decodes.
//!
//! Why: per-decode limits alone let memory grow with the number of decode threads and the
//! copies each makes; a few flat 12 000 × 10 000 PNGs (a few hundred KB each) then cost more than
//! 1 GB per core. Now a decode first reads the picture's header, estimates the most it will hold
//! at once (its pixels, the decoder's own buffers, the scratch of shrinking it to a thumbnail),
//! and reserves that many bytes here before allocating; it waits while others hold the budget,
//! and a picture that alone needs more than the whole budget is refused as too large to decode.
//!
//! Invariants:
//! - the bytes reserved never exceed [`DecodeBudget::total`] (checked by the high-water mark the
//!   budget records);
//! - a decode holds one reservation from before its first allocation until its pixels are
//!   dropped, and never asks for a second one while holding it, so decodes cannot deadlock;
//! - the estimates below round up: a decoder that uses less is fine, one that uses more would
//!   make the budget a lie, so each names what it counts.

use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};

/// Memory shared by all picture decodes of the process, in bytes. 256 MiB fits a 40-megapixel
/// photo with its scratch (the largest the tests and real catalogues hold) alongside the app and
/// its webview on an 8 GB laptop, while the worst case no longer grows with the number of cores.
pub const DECODE_BUDGET_BYTES: u64 = 256 * 1024 * 1024;

/// Bytes per pixel of the floating-point buffer `image`'s resize keeps between its vertical and
/// horizontal passes (`Rgba32F`, whatever the picture's own format).
const RESIZE_SCRATCH_PER_PIXEL: u64 = 16;

/// Memory for decoding pictures, shared by the threads that decode.
#[derive(Debug)]
pub struct DecodeBudget {
    total: u64,
    state: Mutex<State>,
    freed: Condvar,
}

#[derive(Debug, Default)]
struct State {
    in_use: u64,
    high_water: u64,
}

/// Bytes held from a [`DecodeBudget`]; given back when dropped.
#[derive(Debug)]
#[must_use = "the bytes are given back as soon as the reservation is dropped"]
pub struct Reservation<'a> {
    budget: &'a DecodeBudget,
    bytes: u64,
}

static SHARED: DecodeBudget = DecodeBudget::new(DECODE_BUDGET_BYTES);

impl DecodeBudget {
    /// A budget of `total` bytes.
    pub const fn new(total: u64) -> DecodeBudget {
        DecodeBudget {
            total,
            state: Mutex::new(State {
                in_use: 0,
                high_water: 0,
            }),
            freed: Condvar::new(),
        }
    }

    /// The process's budget of [`DECODE_BUDGET_BYTES`], used by [`crate::render_thumbnails`]
    /// and so by every asset runner: memory is per process, whichever runner or company decodes.
    pub fn shared() -> &'static DecodeBudget {
        &SHARED
    }

    /// The whole budget, in bytes.
    pub fn total(&self) -> u64 {
        self.total
    }

    /// Bytes reserved right now.
    pub fn in_use(&self) -> u64 {
        self.lock().in_use
    }

    /// The most bytes ever reserved at once.
    pub fn high_water(&self) -> u64 {
        self.lock().high_water
    }

    /// Reserves `bytes`, waiting while others hold too much of the budget; `None` when `bytes`
    /// alone exceed the whole budget (waiting would never end). Blocks: call it on a blocking
    /// thread, never on the async runtime.
    pub fn reserve(&self, bytes: u64) -> Option<Reservation<'_>> {
        if bytes > self.total {
            return None;
        }
        let mut state = self.lock();
        while state.in_use + bytes > self.total {
            state = self
                .freed
                .wait(state)
                .unwrap_or_else(PoisonError::into_inner);
        }
        state.in_use += bytes;
        state.high_water = state.high_water.max(state.in_use);
        Some(Reservation {
            budget: self,
            bytes,
        })
    }

    /// The state is two counters that stay consistent even if a holder panicked, so a
    /// poisoned lock is used as is.
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl Reservation<'_> {
    /// The bytes held.
    pub fn bytes(&self) -> u64 {
        self.bytes
    }
}

impl Drop for Reservation<'_> {
    fn drop(&mut self) {
        let mut state = self.budget.lock();
        state.in_use = state.in_use.saturating_sub(self.bytes);
        drop(state);
        self.budget.freed.notify_all();
    }
}

/// The scratch of shrinking a `width`×`height` picture so its long side is `side`: the
/// resize's float buffer (full width, new height) and the shrunk picture, plus both thumbnails
/// and their encoding copies (four more of the shrunk size, generously).
pub(crate) fn shrink_cost(width: u32, height: u32, side: u32) -> u64 {
    let (w, h) = (u64::from(width), u64::from(height));
    let long = w.max(h).max(1);
    let side = u64::from(side);
    if long <= side {
        return 5 * w * h * 4;
    }
    let new_w = (w * side).div_ceil(long);
    let new_h = (h * side).div_ceil(long);
    w * new_h * RESIZE_SCRATCH_PER_PIXEL + 5 * new_w * new_h * 4
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::time::Duration;

    #[test]
    fn a_reservation_waits_until_the_budget_is_given_back() {
        let budget = DecodeBudget::new(100);
        assert!(budget.reserve(101).is_none(), "more than the whole budget");
        let first = budget.reserve(70).expect("fits");
        let second_got_it = AtomicBool::new(false);
        std::thread::scope(|scope| {
            let waiter = scope.spawn(|| {
                let second = budget.reserve(40).expect("fits once the first is back");
                second_got_it.store(true, Ordering::SeqCst);
                second.bytes()
            });
            std::thread::sleep(Duration::from_millis(100));
            assert!(
                !second_got_it.load(Ordering::SeqCst),
                "70 + 40 is over 100, so the second must wait"
            );
            assert_eq!(budget.in_use(), 70);
            drop(first);
            assert_eq!(waiter.join().expect("no panic"), 40);
        });
        assert!(second_got_it.load(Ordering::SeqCst));
        assert_eq!(budget.in_use(), 0, "everything is given back");
        assert_eq!(budget.high_water(), 70, "never 110");
    }

    #[test]
    fn shrinking_costs_the_float_scratch_of_the_full_width() {
        // 12 000 × 10 000 to 320 × 267: the float buffer is 12 000 × 267 × 16 bytes.
        let cost = shrink_cost(12_000, 10_000, 320);
        assert!(cost >= 12_000 * 267 * 16, "{cost}");
        assert!(cost < 12_000 * 10_000, "far less than the picture: {cost}");
        assert_eq!(shrink_cost(40, 30, 320), 5 * 40 * 30 * 4, "no resize");
    }
}
