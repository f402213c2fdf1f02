//! The configuration file meets the command line: the file's values become the defaults of
//! the flags their variables set (so a flag wins, then the variable, then the file), and
//! `tixbridge config check` prints the effective configuration.

use std::ffi::OsString;
use std::path::PathBuf;

use super::{KEYS, Settings, keys};

/// The FILE of `--config FILE` / `--config=FILE` among `args`, read before the command line is
/// parsed, since the file gives the parser its defaults.
pub fn config_flag(args: &[OsString]) -> Option<PathBuf> {
    let mut args = args.iter().map(|a| a.to_string_lossy());
    while let Some(arg) = args.next() {
        if arg == "--" {
            return None;
        }
        if arg == "--config" {
            return args.next().map(|file| PathBuf::from(file.as_ref()));
        }
        if let Some(file) = arg.strip_prefix("--config=") {
            return Some(PathBuf::from(file));
        }
    }
    None
}

/// `command` with the file's values as the defaults of the flags they stand for: a flag whose
/// variable is a setting's (`--database`, `--listen`) and `--server-key-file`.
pub fn with_file_defaults(command: clap::Command, settings: &Settings) -> clap::Command {
    let command = command.mut_args(|arg| {
        let key = match arg.get_env().and_then(|var| var.to_str()) {
            Some(var) => keys::by_var(var),
            None if arg.get_id() == "server_key_file" => keys::by_name("server_key_file"),
            None => None,
        };
        match key.and_then(|key| settings.file_value(key.name)) {
            // clap keeps defaults as 'static text; one per flag for the life of the process
            Some(value) => arg.default_value(&*Box::leak(value.to_owned().into_boxed_str())),
            None => arg,
        }
    });
    command.mut_subcommands(|sub| with_file_defaults(sub, settings))
}

/// `tixbridge config check`: each setting, its effective value (secrets masked) and where the
/// value comes from, one per line.
pub fn print_check(settings: &Settings) {
    match &settings.file {
        Some(file) => println!("configuration file {}", file.display()),
        None => println!("no configuration file ({} not found, no --config)", super::DEFAULT_FILE),
    }
    for key in KEYS {
        let (value, source) = settings.resolve(key);
        let shown = value.as_deref().map(|v| super::masked(key, v)).unwrap_or_else(|| "(unset)".into());
        println!("{} = {shown}    ({source})", key.name);
    }
}
