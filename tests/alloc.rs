//! `PolicySet::evaluate` does not allocate for requests and policies without policy
//! variables (design.md, "Compile": nothing is parsed or allocated per request on the
//! fast path). A counting global allocator counts the allocations made by the current
//! thread while a flag is set; only the `evaluate` call (and dropping its response) runs
//! with the flag set, so building sets and requests, and the other tests running on other
//! threads, are not counted.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "tests"
)]
#![allow(
    unsafe_code,
    reason = "a counting global allocator needs `unsafe impl GlobalAlloc`; it only forwards to `System`"
)]

#[path = "../benches/common/mod.rs"]
mod common;

use iam_eval::{PolicySet, Request};
use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

struct Counting;

thread_local! {
    /// Whether allocations on this thread are being counted.
    static COUNTING: Cell<bool> = const { Cell::new(false) };
    /// Allocations (including reallocations) counted on this thread.
    static COUNT: Cell<usize> = const { Cell::new(0) };
}

fn record() {
    // `try_with`: the allocator runs during thread teardown too, after the slots are gone.
    // Const-initialised `Cell`s without destructors never allocate themselves.
    let counting = COUNTING.try_with(Cell::get).unwrap_or(false);
    if counting {
        let _ = COUNT.try_with(|c| c.set(c.get() + 1));
    }
}

// SAFETY: every method forwards to `System` with the caller's arguments unchanged, so
// `System`'s guarantees are ours; counting touches only const thread-locals.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        record();
        // SAFETY: forwarded unchanged; the caller upholds `GlobalAlloc::alloc`'s contract.
        unsafe { System.alloc(layout) }
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        record();
        // SAFETY: as for `alloc`.
        unsafe { System.alloc_zeroed(layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        record();
        // SAFETY: `ptr` and `layout` came from this allocator, that is from `System`.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` and `layout` came from this allocator, that is from `System`.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// The number of allocations `set.evaluate(request)` makes on this thread; the response
/// is dropped inside the counted region.
fn allocations(set: &PolicySet, request: &Request) -> usize {
    COUNT.with(|c| c.set(0));
    COUNTING.with(|c| c.set(true));
    // The response goes out of scope, and would be dropped, inside the counted region.
    let decision = set.evaluate(request).decision();
    COUNTING.with(|c| c.set(false));
    std::hint::black_box(decision);
    COUNT.with(Cell::get)
}

/// Evaluates each case and returns the ones that allocated, with their counts.
fn allocating_cases(file: &str) -> Vec<(String, usize)> {
    let tf = common::load_checked(file);
    tf.cases()
        .iter()
        .map(|case| {
            let n = allocations(tf.policy_set(), case.request());
            (format!("{file}/{}", case.name()), n)
        })
        .filter(|(_, n)| *n > 0)
        .collect()
}

#[test]
fn the_counter_counts() {
    COUNT.with(|c| c.set(0));
    COUNTING.with(|c| c.set(true));
    let v = std::hint::black_box(vec![1_u8; 16]);
    drop(v);
    COUNTING.with(|c| c.set(false));
    assert_eq!(COUNT.with(Cell::get), 1);
}

#[test]
fn seed_cases_do_not_allocate() {
    assert_eq!(allocating_cases("seed"), Vec::new());
}

#[test]
fn big100_cases_do_not_allocate() {
    assert_eq!(allocating_cases("big100"), Vec::new());
}

#[test]
fn a_generated_100_statement_set_does_not_allocate() {
    let (set, hit, miss) = common::statements_set(100);
    assert_eq!(allocations(&set, &hit), 0, "statements/100 (allowed)");
    assert_eq!(allocations(&set, &miss), 0, "statements/100_miss (denied)");
}

#[test]
fn a_generated_1000_statement_set_does_not_allocate() {
    let (set, hit, miss) = common::statements_set(1000);
    assert_eq!(allocations(&set, &hit), 0, "statements/1000 (allowed)");
    assert_eq!(allocations(&set, &miss), 0, "statements/1000_miss (denied)");
}

#[test]
fn read_only_policies_do_not_allocate() {
    let (set, cases) = common::readonly_set();
    for (name, request, _) in &cases {
        assert_eq!(allocations(&set, request), 0, "readonly/{name}");
    }
    // The real ReadOnlyAccess policy, when the shared real-world data is beside the checkout.
    if let Some((set, cases)) = common::readonly_aws_set() {
        for (name, request, _) in &cases {
            assert_eq!(allocations(&set, request), 0, "readonly_aws/{name}");
        }
    }
}

/// Policy variables are substituted per request, which allocates today. This pins that
/// the counter sees allocations inside `evaluate` at all, so the zero counts above mean
/// something; if substitution becomes allocation-free, move this check to another
/// allocating call inside the library.
#[test]
fn evaluate_with_policy_variables_allocates() {
    let (set, request) = common::variables_set();
    assert!(allocations(&set, &request) > 0);
}
