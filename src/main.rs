//! The `anchi` binary: with a subcommand it is the command line; without one it opens the window.
#![cfg_attr(all(windows, not(debug_assertions)), windows_subsystem = "windows")]

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = anchi::cli::Cli::parse();
    match cli.command {
        Some(command) => anchi::cli::run(cli.data_dir, cli.user, command),
        None => open_window(cli),
    }
}

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
