//! The settings of `qrlogin serve`, layered with figment: the defaults of
//! [`Settings`], then the `--config` TOML file, then `QRLOGIN_<KEY>` variables, then the
//! flags actually given. Also `qrlogin config show`, and the help text's `[env: …]
//! [default: …]` notes, which are rendered from the same defaults as the README table.

use crate::serve::ServeArgs;
use anyhow::{anyhow, bail};
use clap::{Arg, Command, Subcommand};
use figment::providers::{Env, Format as _, Serialized, Toml};
use figment::Figment;
use qrlogin_server::config::{Settings, KEYS};

/// `qrlogin config …`.
#[derive(Subcommand, Debug)]
pub enum ConfigCommand {
    /// Check and print the effective settings of `qrlogin serve` as TOML, passwords as
    /// `***`: defaults, then the config file, then `QRLOGIN_*` variables, then the flags
    /// given here (the same flags as `serve`).
    Show(ServeArgs),
}

/// Runs `qrlogin config show`.
pub fn run(cmd: ConfigCommand) -> anyhow::Result<()> {
    match cmd {
        ConfigCommand::Show(args) => {
            let settings = load(&args)?;
            // The same checks as `serve`, so a file can be tried before a restart.
            qrlogin_server::Config::from_settings(&settings)?;
            print!("{}", show(&settings)?);
            Ok(())
        }
    }
}

/// The effective settings: defaults < file < environment < flags. An unknown key, a
/// wrong type or a missing file is an error naming it.
pub fn load(args: &ServeArgs) -> anyhow::Result<Settings> {
    let mut layers = Figment::new();
    if let Some(path) = &args.config {
        if !path.is_file() {
            bail!("config file {}: not found", path.display());
        }
        layers = layers.merge(Toml::file_exact(path));
    }
    layers
        .merge(Env::prefixed("QRLOGIN_").only(KEYS))
        .merge(Serialized::defaults(args))
        .extract::<Settings>()
        .map_err(|e| {
            let all: Vec<String> = e.into_iter().map(|e| e.to_string()).collect();
            anyhow!("bad configuration: {}", all.join("; "))
        })
}

/// `settings` as TOML with passwords redacted; keys that are unset are listed as
/// comments, so the output shows every key there is.
pub fn show(settings: &Settings) -> anyhow::Result<String> {
    let mut out = toml::to_string(&settings.redacted())?;
    let table: toml::Table = toml::from_str(&out)?;
    for key in KEYS.iter().filter(|k| !table.contains_key(**k)) {
        out.push_str(&format!("# {key} is not set\n"));
    }
    Ok(out)
}

/// The variable a key is read from.
fn env_name(key: &str) -> String {
    format!("QRLOGIN_{}", key.to_ascii_uppercase())
}

/// A key's default as people read it, `None` when there is none (unset, empty list).
fn default_shown(key: &str) -> Option<String> {
    let defaults = toml::Table::try_from(Settings::default()).ok()?;
    match defaults.get(key)? {
        toml::Value::String(s) => Some(s.clone()),
        toml::Value::Boolean(b) => Some(if *b { "on" } else { "off" }.to_owned()),
        toml::Value::Array(a) if a.is_empty() => None,
        other => Some(other.to_string()),
    }
}

/// The config key behind a flag (`--qr-ttl` → `qr_ttl`), if it is one.
fn key_of(arg: &Arg) -> Option<&'static str> {
    let long = arg.get_long()?.replace('-', "_");
    KEYS.iter().copied().find(|k| *k == long)
}

/// Adds `[env: QRLOGIN_…] [default: …]` to the help of every settings flag of `cmd`
/// (the flags themselves carry neither, so that only flags actually given count).
pub fn with_help_notes(cmd: Command) -> Command {
    let keyed: Vec<_> = cmd
        .get_arguments()
        .filter_map(|a| Some((a.get_id().clone(), key_of(a)?)))
        .collect();
    keyed.into_iter().fold(cmd, |cmd, (id, key)| {
        cmd.mut_arg(id, |arg| {
            let mut help = arg.get_help().map(ToString::to_string).unwrap_or_default();
            help.push_str(&format!(" [env: {}]", env_name(key)));
            if let Some(d) = default_shown(key) {
                help.push_str(&format!(" [default: {d}]"));
            }
            arg.help(help)
        })
    })
}

/// README's table of `qrlogin serve` flags (flag, env, default, meaning), rendered from
/// the flags' doc comments and [`Settings::default`].
#[cfg(test)]
pub fn flag_table(serve: &Command) -> String {
    let cell = |s: &str| s.replace('|', "\\|");
    let mut out = String::from("| flag | env | default | meaning |\n| --- | --- | --- | --- |\n");
    for arg in serve.get_arguments() {
        let Some(long) = arg.get_long() else { continue };
        let flag = match arg.get_value_names() {
            Some([name, ..]) if arg.get_action().takes_values() => format!("--{long} {name}"),
            _ => format!("--{long}"),
        };
        let (env, default) = match key_of(arg) {
            Some(key) => (env_name(key), default_shown(key)),
            None => match arg.get_env() {
                Some(env) => (env.to_string_lossy().into_owned(), None),
                None => continue,
            },
        };
        let default = default.map_or("none".to_owned(), |d| format!("`{d}`"));
        let meaning = arg.get_help().map(ToString::to_string).unwrap_or_default();
        out.push_str(&format!(
            "| `{}` | `{env}` | {} | {} |\n",
            cell(&flag),
            cell(&default),
            cell(&meaning)
        ));
    }
    out
}

#[cfg(test)]
#[path = "config_tests.rs"]
mod tests;
