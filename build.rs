//! Build script: probes the tools the integration tests use (see `build/test_tools.rs`).

#[path = "build/test_tools.rs"]
mod test_tools;

fn main() {
    println!("cargo::rerun-if-changed=build.rs");
    println!("cargo::rerun-if-changed=build/test_tools.rs");
    test_tools::probe();
}
