//! `ggen-config`: the configuration front of the code generator.
//!
//! ```text
//! ggen-config check FILE   parse, type-check and check every path on disk; "ok: …"
//! ggen-config dump FILE    the typed configuration, one `key = value` line each
//! ggen-config paths FILE   every path the configuration names, with its role
//! ggen-config stream FILE  check FILE's TOML one section at a time (for files too big for
//!                          memory): syntax and table rules, not the typed model
//! ```
//!
//! Paths are relative to FILE's directory. Exit codes: 0 done, 2 bad input (unreadable file,
//! malformed TOML, an invalid configuration, a path that is missing or of the wrong kind),
//! with one message on stderr naming the key path and its position.

use std::io::Write as _;
use std::path::Path;
use std::process::ExitCode;

use config_core::Config;
use config_core::fscheck::{self, Kind};

const USAGE: &str = "usage: ggen-config check|dump|paths|stream FILE";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (command, file) = match args.as_slice() {
        [command, file] if ["check", "dump", "paths", "stream"].contains(&command.as_str()) => {
            (command.as_str(), file)
        }
        _ => {
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    match run(command, Path::new(file)) {
        Ok(text) => {
            let mut out = std::io::stdout().lock();
            // A closed pipe (`ggen-config dump f | head`) is not an error.
            let _ = out.write_all(text.as_bytes());
            ExitCode::SUCCESS
        }
        Err(message) => {
            eprintln!("ggen-config: {}: {message}", file);
            ExitCode::from(2)
        }
    }
}

fn run(command: &str, file: &Path) -> Result<String, String> {
    if command == "stream" {
        return stream(file);
    }
    let bytes = std::fs::read(file).map_err(|e| format!("cannot read it: {e}"))?;
    let doc = config_core::parse_bytes(&bytes).map_err(|e| e.to_string())?;
    let config = Config::from_document(&doc).map_err(|e| e.to_string())?;
    let base = file
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    match command {
        "check" => {
            let checked =
                fscheck::check_config(base, &config, doc.source()).map_err(|e| e.to_string())?;
            Ok(checked.summary(&config))
        }
        "dump" => Ok(dump(&config)),
        _ => {
            let mut out = String::new();
            out.push_str(&format!(
                "dir   project.output_dir  {}\n",
                config.project.output_dir
            ));
            for item in fscheck::items(&config) {
                let kind = match item.kind {
                    Kind::Dir => "dir ",
                    Kind::File => "file",
                };
                out.push_str(&format!("{kind}  {}  {}\n", item.key_path, item.path));
            }
            Ok(out)
        }
    }
}

/// Checks `file` with the streaming reader, never holding more than a section of it.
fn stream(file: &Path) -> Result<String, String> {
    let reader = std::fs::File::open(file).map_err(|e| format!("cannot read it: {e}"))?;
    if reader.metadata().is_ok_and(|m| m.is_dir()) {
        return Err("cannot read it: it is a directory".to_string());
    }
    let s = config_core::stream::check(std::io::BufReader::with_capacity(1 << 16, reader))
        .map_err(|e| e.to_string())?;
    Ok(format!(
        "ok: {} bytes, {} lines, {} sections ({} headers); largest section {} bytes; \
         kept {} registry entries, {} names\n",
        s.bytes, s.lines, s.sections, s.headers, s.largest_section, s.registry_entries, s.names
    ))
}

fn dump(c: &Config<'_>) -> String {
    let mut out = String::new();
    let mut line = |k: &str, v: &str| out.push_str(&format!("{k} = {v}\n"));
    line("project.name", c.project.name);
    if let Some(v) = c.project.version {
        line("project.version", v);
    }
    line("project.output_dir", c.project.output_dir);
    for (name, path) in &c.paths {
        line(&format!("paths.{name}"), path);
    }
    for t in &c.templates {
        let p = format!("templates.{}", t.name);
        line(&format!("{p}.source"), t.source);
        line(&format!("{p}.output"), t.output);
        line(&format!("{p}.globs"), &t.globs.join(", "));
        for (k, v) in &t.variables {
            line(&format!("{p}.variables.{k}"), v);
        }
        line(
            &format!("{p}.enabled"),
            if t.enabled { "true" } else { "false" },
        );
    }
    for (i, g) in c.generators.iter().enumerate() {
        let p = format!("generators[{i}]");
        line(&format!("{p}.name"), g.name);
        line(&format!("{p}.templates"), &g.templates.join(", "));
        line(&format!("{p}.inputs"), &g.inputs.join(", "));
        for (k, v) in &g.env {
            line(&format!("{p}.env.{k}"), v);
        }
    }
    line("limits.concurrency", &c.limits.concurrency.to_string());
    line("limits.max_file_size", &c.limits.max_file_size.to_string());
    out
}
