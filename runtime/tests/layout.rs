//! The runtime's rooms import only downwards: spec ← observe ← protocol ←
//! service ← supervisor ← app. A `use crate::..` that points up the stack
//! fails here, naming the file and the line, before it becomes an import circle.

use std::fs;
use std::path::{Path, PathBuf};

/// Each room, and the rooms it may import (itself included).
const ROOMS: [(&str, &[&str]); 6] = [
    ("spec", &["spec"]),
    ("observe", &["spec", "observe"]),
    ("protocol", &["spec", "observe", "protocol"]),
    ("service", &["spec", "observe", "protocol", "service"]),
    (
        "supervisor",
        &["spec", "observe", "protocol", "service", "supervisor"],
    ),
    (
        "app",
        &[
            "spec",
            "observe",
            "protocol",
            "service",
            "supervisor",
            "app",
        ],
    ),
];

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The room a file under `src/` belongs to: its folder, or its own name.
fn room_of(relative: &Path) -> Option<&str> {
    let first = relative.components().next()?.as_os_str().to_str()?;
    Some(first.strip_suffix(".rs").unwrap_or(first))
}

/// Every `crate::<room>` a line of code (not a comment) names.
fn rooms_named(line: &str) -> Vec<&str> {
    let code = line.trim_start();
    if code.starts_with("//") {
        return Vec::new();
    }
    code.match_indices("crate::")
        .filter_map(|(at, _)| {
            let rest = &code[at + "crate::".len()..];
            let end = rest
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(rest.len());
            let name = &rest[..end];
            ROOMS.iter().any(|(room, _)| *room == name).then_some(name)
        })
        .collect()
}

#[test]
fn every_room_imports_only_the_rooms_below_it() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    files.sort();
    let mut checked = 0;
    let mut violations = Vec::new();
    for file in &files {
        let relative = file.strip_prefix(&src).unwrap_or(file);
        let Some((room, allowed)) =
            room_of(relative).and_then(|name| ROOMS.iter().find(|(room, _)| *room == name))
        else {
            continue; // lib.rs and private.rs sit above every room
        };
        let text = fs::read_to_string(file).unwrap_or_default();
        for (n, line) in text.lines().enumerate() {
            for named in rooms_named(line) {
                checked += 1;
                if !allowed.contains(&named) {
                    violations.push(format!(
                        "{}:{}: `{room}` may not import `crate::{named}`",
                        relative.display(),
                        n + 1
                    ));
                }
            }
        }
    }
    assert!(
        checked > 50,
        "only {checked} imports found under {}",
        src.display()
    );
    assert!(violations.is_empty(), "{}", violations.join("\n"));
}

#[test]
fn a_doc_line_is_not_an_import_and_an_upward_use_is_found() {
    assert!(rooms_named("//! see crate::app::App").is_empty());
    assert_eq!(rooms_named("use crate::app::handle::AppHandle;"), ["app"]);
    assert_eq!(
        rooms_named("use crate::{spec::Role}; crate::observe::x"),
        ["observe"]
    );
}
