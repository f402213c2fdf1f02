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
    let log = tixbridge_server::settings::value("TIXBRIDGE_LOG");
    tracing_subscriber::fmt()
        .with_env_filter(
            log.and_then(|filter| tracing_subscriber::EnvFilter::try_new(filter).ok())
                .unwrap_or_else(|| tracing_subscriber::EnvFilter::new("info,sqlx=warn")),
        )
        .with_writer(std::io::stderr)
        .init();
    let runtime = tokio::runtime::Runtime::new().expect("a Tokio runtime");
    match runtime.block_on(tixbridge_server::cli::run(cli)) {
        Ok(code) => code,
        Err(err) => {
            eprintln!("error: {err:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
