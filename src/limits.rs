//! Bounds on what one render may do, so that no template or payload can hang the renderer
//! or exhaust memory. Exceeding one fails the render with [`ErrorKind::Limit`](crate::ErrorKind::Limit)
//! at the place it happened.

use std::cell::Cell;

/// The largest string a render builds or prints, whatever the limits say: Java methods
/// fail with `OutOfMemoryError` past it, and a value built from shared parts (a list
/// holding itself many times) stops printing there.
pub(crate) const MAX_STRING: usize = 64 * 1024 * 1024;

/// The limits of one render.
///
/// ```
/// use vtl::{Context, Limits, Template};
///
/// let mut ctx = Context::new();
/// ctx.set_limits(Limits { max_iterations: Some(3), ..Limits::default() });
/// let err = Template::parse("#foreach($i in [1..5])$i#end").unwrap().render(&ctx).unwrap_err();
/// assert_eq!(err.kind(), vtl::ErrorKind::Limit);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Iterations of any one `#foreach`; `None` for no limit (Velocity's default). API
    /// Gateway allows 1000.
    pub max_iterations: Option<usize>,
    /// Units of work per render: every node rendered, loop iteration and method call counts
    /// one, and so does every element a method scans, copies or compares, and every 64
    /// bytes of text it reads or builds. Bounds the total time a render can take.
    pub max_steps: u64,
    /// Bytes of output, and of any one string a template builds; at most 64 MiB (a
    /// larger value acts as 64 MiB).
    pub max_output_bytes: usize,
    /// Elements of a range `[a..b]`.
    pub max_range: usize,
    /// Nesting of rendering, the template itself being the first level: blocks within
    /// blocks, whether written inside each other
    /// (`#if`, `#foreach`) or reached by a macro call, a defined block or `#evaluate`.
    /// Bounds the stack a render needs: about 1 KiB per level, so the default of 200 fits
    /// the 2 MiB stack of a spawned thread with room to spare. (Macros also keep
    /// Velocity's own limit of 20 nested calls, and the parser accepts at most 100 nested
    /// blocks or parentheses in one text.)
    pub max_depth: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_iterations: None,
            max_steps: 100_000_000,
            max_output_bytes: MAX_STRING,
            max_range: 1_000_000,
            max_depth: 200,
        }
    }
}

/// Bytes of text read or built per unit of work.
pub(crate) const TEXT_PER_STEP: u64 = 64;

thread_local! {
    /// What the render running on this thread has left of its steps for the work done
    /// inside values and methods, which cannot see the renderer (see [`burn`]).
    static FUEL: Cell<u64> = const { Cell::new(u64::MAX) };
}

/// Takes `units` of work from the render running on this thread; false, leaving nothing,
/// when it has not that much left. An operation that gets false stops early: its result
/// no longer matters, as the render fails at its next step.
pub(crate) fn burn(units: usize) -> bool {
    if units == 0 {
        return true;
    }
    FUEL.with(|fuel| {
        let (left, overdrawn) = fuel.get().overflowing_sub(units as u64);
        fuel.set(if overdrawn { 0 } else { left });
        !overdrawn
    })
}

/// Takes the work of reading or building `bytes` of text (see [`burn`]).
pub(crate) fn burn_text(bytes: usize) -> bool {
    burn(bytes / TEXT_PER_STEP as usize)
}

/// Runs `work` with a budget of at most `max` units (less when the render has less left),
/// and burns what it used of it.
pub(crate) fn with_budget<T>(max: usize, work: impl FnOnce(&mut usize) -> T) -> T {
    let allowed = max.min(usize::try_from(fuel()).unwrap_or(max));
    let mut budget = allowed;
    let result = work(&mut budget);
    burn(allowed - budget);
    result
}

/// Sets what the render running on this thread may burn; returns what was there.
pub(crate) fn refuel(amount: u64) -> u64 {
    FUEL.with(|fuel| fuel.replace(amount))
}

/// What the render running on this thread has left.
pub(crate) fn fuel() -> u64 {
    FUEL.with(Cell::get)
}
