//! The `anchi` binary: with a subcommand it is the command line; without one it opens the window.
#![cfg_attr(all(windows, not(debug_assertions)), windows_subsystem = "windows")]

use std::process::ExitCode;

use clap::Parser;

/// mimalloc rather than the C library's allocator: with glibc's, a thread that frees what
/// another allocated waits on that thread's arena lock (the demo's writer frees what its
/// workers made). `anchi demo --cases 100000` took 21.1-22.8 s with glibc's and 15.5-15.7 s
/// with mimalloc on the 2-core development machine, in the same runs. Without transparent
/// huge pages (`no_thp`, Linux only): with them, a short command paid for zeroing 2 MiB
/// pages. `doc render --all` of a 10-document case took 16.9 ms with glibc's allocator,
/// 18.5 ms with mimalloc and huge pages, 16.9 ms with mimalloc without them (medians of 40
/// alternating runs).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    // Before parsing, so `--help` and argument errors show too.
    if std::env::args_os().len() > 1 {
        attach_console();
    }
    let cli = anchi::cli::Cli::parse();
    match cli.command {
        Some(command) => anchi::cli::run(cli.data_dir, cli.user, command),
        None => open_window(cli),
    }
}

/// On Windows the release program has no console of its own (it is a window program);
/// used as the command line from cmd or PowerShell it writes to theirs.
#[cfg(windows)]
fn attach_console() {
    use windows_sys::Win32::System::Console::{ATTACH_PARENT_PROCESS, AttachConsole};
    // SAFETY: AttachConsole takes a process id and has no memory-safety preconditions; a
    // failure (no parent console, or already attached) leaves the process as it was.
    unsafe {
        AttachConsole(ATTACH_PARENT_PROCESS);
    }
}

#[cfg(not(windows))]
fn attach_console() {}

#[cfg(feature = "gui")]
fn open_window(cli: anchi::cli::Cli) -> ExitCode {
    use anchi::ui::command::Command;
    let start = match (cli.open_case, cli.open_doc) {
        (Some(case), Some(document)) => Some(Command::OpenDocument { case, document }),
        (Some(case), None) => Some(Command::OpenCase(case)),
        _ => None,
    };
    anchi::ui::run(cli.data_dir, start)
}

#[cfg(not(feature = "gui"))]
fn open_window(_: anchi::cli::Cli) -> ExitCode {
    eprintln!("this build has no window (feature `gui` off); see `anchi --help`");
    ExitCode::from(2)
}
