//! Bounds on what one render may do, so that no template or payload can hang the renderer
//! or exhaust memory. Exceeding one fails the render with [`ErrorKind::Limit`](crate::ErrorKind::Limit)
//! at the place it happened.

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
    /// one. Bounds the total time a render can take.
    pub max_steps: u64,
    /// Bytes of output, and of any one string a template builds.
    pub max_output_bytes: usize,
    /// Elements of a range `[a..b]`.
    pub max_range: usize,
    /// Nesting of rendering: blocks within blocks, whether written inside each other
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
            max_output_bytes: 64 * 1024 * 1024,
            max_range: 1_000_000,
            max_depth: 200,
        }
    }
}
