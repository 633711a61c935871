//! `anchi-hub`: the provincial server (see `anchi::hub`).

use clap::Parser;

/// mimalloc rather than the C library's allocator, as in the `anchi` program (its
/// figures are in src/main.rs): with glibc's, a thread that frees what another allocated
/// waits on that thread's arena lock, and the server's connections run on many threads.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    anchi::hub::cli::run(anchi::hub::cli::HubCli::parse())
}
