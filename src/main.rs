//! The `preflight` binary: parses arguments and hands over to [`preflight::cli`].

/// A scan allocates and frees small strings and trees on every thread: jemalloc does that
/// with a sixth less CPU than glibc's malloc (`scripts/bench-scale.py`, 100,000 files). In
/// the static musl build it is C's `malloc` as well (Cargo.toml).
#[cfg(all(
    feature = "jemalloc",
    unix,
    not(any(target_os = "openbsd", target_os = "aix", target_os = "android")),
    any(target_arch = "x86_64", target_arch = "aarch64")
))]
#[global_allocator]
static GLOBAL: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

/// musl's `memcpy` and `memcmp` are slow on short sizes (a fifth of the static build's CPU
/// went to `memcpy`): this crate's replace them in the static x86_64 binary.
#[cfg(all(target_arch = "x86_64", target_env = "musl"))]
use preflight_memfns as _;

/// The stack of each scanning thread, as address space: pages are only backed once used.
/// The Python and JavaScript readers need stack in proportion to a file's nesting and take
/// a stack of their own (`stacker`) when the thread's remainder is short of their bound of
/// 4 KiB per byte; with 64 MiB, files up to about 16 KB are read in place, where a stack
/// mapped, guarded and unmapped per file (its unmapping flushing every thread's TLB) was
/// 4% of a 10,000-file scan's CPU.
const SCAN_THREAD_STACK: usize = 64 << 20;

fn main() -> std::process::ExitCode {
    // Only fails when the pool was already built, which nothing before this line does.
    let _ = rayon::ThreadPoolBuilder::new()
        .stack_size(SCAN_THREAD_STACK)
        .build_global();
    preflight::cli::main()
}
