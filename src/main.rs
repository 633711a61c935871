//! The `anchi` binary: with a subcommand it is the command line; without one it opens the window.
#![cfg_attr(all(windows, not(debug_assertions)), windows_subsystem = "windows")]

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = anchi::cli::Cli::parse();
    match cli.command {
        Some(command) => anchi::cli::run(cli.data_dir, command),
        None => open_window(cli.data_dir),
    }
}

#[cfg(feature = "gui")]
fn open_window(data_dir: Option<std::path::PathBuf>) -> ExitCode {
    anchi::ui::run(data_dir)
}

#[cfg(not(feature = "gui"))]
fn open_window(_: Option<std::path::PathBuf>) -> ExitCode {
    eprintln!("this build has no window (feature `gui` off); see `anchi --help`");
    ExitCode::from(2)
}
