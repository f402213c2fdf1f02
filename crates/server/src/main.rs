//! `tixbridge`: every part of the product in one binary. See `tixbridge --help`.

/// A thread-caching allocator: injection parses and builds a lot of small JSON values on
/// several threads at once, where glibc's allocator spent a third of the time.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    let cli = match tixbridge_server::cli::Cli::parse_with_settings() {
        Ok(cli) => cli,
        Err(err) => {
            eprintln!("error: {err:#}");
            return std::process::ExitCode::FAILURE;
        }
    };
    if let Err(err) = tixbridge_server::logging::init() {
        eprintln!("error: {err:#}");
        return std::process::ExitCode::FAILURE;
    }
    let runtime = tokio::runtime::Runtime::new().expect("a Tokio runtime");
    match runtime.block_on(tixbridge_server::cli::run(cli)) {
        Ok(code) => code,
        Err(err) => {
            eprintln!("error: {err:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
