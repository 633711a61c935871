//! `anchi-hub`: the provincial server (see `anchi::hub`).

use clap::Parser;

fn main() -> std::process::ExitCode {
    anchi::hub::cli::run(anchi::hub::cli::HubCli::parse())
}
