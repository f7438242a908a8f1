//! The `imedit` command line (`imedit --help`).

fn main() {
    std::process::exit(imedit_cli::run(std::env::args_os()));
}
