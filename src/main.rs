//! The `preflight` binary: parses arguments and hands over to [`preflight::cli`].

/// A scan allocates and frees small strings and trees on every thread: jemalloc does that
/// with a sixth less CPU than glibc's malloc (`scripts/bench-scale.py`, 100,000 files).
#[cfg(all(
    feature = "jemalloc",
    unix,
    not(any(target_os = "openbsd", target_os = "aix", target_os = "android")),
    any(target_arch = "x86_64", target_arch = "aarch64")
))]
#[global_allocator]
static GLOBAL: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

fn main() -> std::process::ExitCode {
    preflight::cli::main()
}
