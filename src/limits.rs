//! Bounds on what one render may do, so that no template or payload can hang the renderer
//! or exhaust memory. Exceeding one fails the render with [`ErrorKind::Limit`](crate::ErrorKind::Limit)
//! at the place it happened.

use std::cell::Cell;

/// The largest string a render builds or prints, whatever the limits say (a larger
/// `max_output_bytes` acts as this).
pub(crate) const MAX_STRING: usize = 64 * 1024 * 1024;

/// API Gateway's largest payload, 10 MB: the default size of the output and of any string.
const DEFAULT_STRING: usize = 10 * 1024 * 1024;

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
    /// Units of work per render, each about the same time (10 ns or less on a current
    /// machine): every node rendered and loop iteration counts one, a method call eight,
    /// every element a method scans, copies or compares one, and text a
    /// unit per 64 bytes copied or compared, per 8 bytes read as characters (UTF-16, case
    /// mapping, regular expressions) and four per byte of `#evaluate`d text parsed. Bounds the
    /// total time of a render: the default of 25 million ends the costliest ones within
    /// about a second.
    pub max_steps: u64,
    /// Bytes of output, and of any one string a template builds; by default 10 MiB (API
    /// Gateway's payload limit), at most 64 MiB (a larger value acts as 64 MiB).
    pub max_output_bytes: usize,
    /// Bytes a render may build in all: the strings it makes and 32 bytes per element of
    /// the lists and maps it makes, and what `#evaluate` keeps (macros and names it
    /// defines). What is dropped meanwhile is not given back, so this bounds the peak
    /// memory of a render beyond its inputs and output; the default is 160 MiB.
    pub max_built_bytes: usize,
    /// Elements of any one list a method makes or grows (`split`, `getBytes`,
    /// `toCharArray`, `add`, `addAll`, `put`...): past it the method throws Java's
    /// `OutOfMemoryError`.
    pub max_elements: usize,
    /// Bytes of the text of an `#evaluate`, and of all those rendering within each
    /// other together; past it the render fails. The API Gateway binding sets its
    /// template limit (300 KiB); the default is 1 MiB.
    pub max_template_bytes: usize,
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
            max_steps: 25_000_000,
            max_output_bytes: DEFAULT_STRING,
            max_built_bytes: 160 * 1024 * 1024,
            max_elements: 1_000_000,
            max_template_bytes: 1024 * 1024,
            max_range: 1_000_000,
            max_depth: 200,
        }
    }
}

/// Bytes of text copied or compared per unit of work.
pub(crate) const TEXT_PER_STEP: u64 = 64;

/// Bytes of text read as characters (UTF-16 units, case mapping, regular expressions) per
/// unit of work: measured about eight times slower than copying.
pub(crate) const CHARS_PER_STEP: u64 = 8;

/// Units of work of a method call, about what its lookup and dispatch take.
pub(crate) const CALL_STEPS: u64 = 8;

/// Bytes of memory counted per element of a list or map built (a value and its share of
/// the vector or table).
pub(crate) const ELEMENT_BYTES: usize = 32;

thread_local! {
    /// What the render running on this thread has left of its steps for the work done
    /// inside values and methods, which cannot see the renderer (see [`burn`]).
    static FUEL: Cell<u64> = const { Cell::new(u64::MAX) };
    /// The string size and list size of the render running on this thread, for methods.
    static VOLUME: Cell<(usize, usize)> = const { Cell::new((MAX_STRING, usize::MAX)) };
    /// What the render running on this thread may still build, in bytes (see [`build`]).
    static BUILT: Cell<usize> = const { Cell::new(usize::MAX) };
}

/// Counts `bytes` built against the render running on this thread; false, leaving it no
/// work either, when that is more than it may build: the render fails at its next step.
pub(crate) fn build(bytes: usize) -> bool {
    BUILT.with(|left| match left.get().checked_sub(bytes) {
        Some(rest) => {
            left.set(rest);
            true
        }
        None => {
            left.set(0);
            FUEL.with(|fuel| fuel.set(0));
            false
        }
    })
}

/// Counts `count` elements of a list or map built (see [`build`]).
pub(crate) fn build_elements(count: usize) -> bool {
    build(count.saturating_mul(ELEMENT_BYTES))
}

/// Sets what the render running on this thread may build; returns what was there.
pub(crate) fn set_buildable(bytes: usize) -> usize {
    BUILT.with(|left| left.replace(bytes))
}

/// Whether the render running on this thread has built all it may.
pub(crate) fn built_out() -> bool {
    BUILT.with(|left| left.get() == 0)
}

/// Sets the string and element limits of methods on this thread; returns what was there.
pub(crate) fn set_volume(strings: usize, elements: usize) -> (usize, usize) {
    VOLUME.with(|v| v.replace((strings, elements)))
}

/// Restores what [`set_volume`] returned.
pub(crate) fn restore_volume(volume: (usize, usize)) {
    VOLUME.with(|v| v.set(volume));
}

/// The largest string a method may build in the render running on this thread.
pub(crate) fn max_string() -> usize {
    VOLUME.with(|v| v.get().0)
}

/// The most elements a method may put in one list in the render running on this thread.
pub(crate) fn max_elements() -> usize {
    VOLUME.with(|v| v.get().1)
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

/// Takes the work of copying or comparing `bytes` of text (see [`burn`]).
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
