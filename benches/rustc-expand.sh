#!/usr/bin/env bash
# What users pay: rustc expanding a `supervision!` block of ROLES roles (a
# DAG as in the expand bench: role i depends on up to 5 earlier ones) through
# the real proc_macro bridge, the macro built as cargo builds it for a user's
# `cargo build` (proc macros unoptimized, unless the profile says otherwise).
#
# Prints rustc's `macro_expand_crate` pass (`-Z time-passes`, so
# RUSTC_BOOTSTRAP=1) for the block and for the same crate with a 1-role
# block, RUNS times each (the first build of each also compiles the
# dependencies). The difference is the macro's own run plus rustc parsing
# its output and running the derives it asks for.
#
#   benches/rustc-expand.sh [ROLES] [RUNS]      # default 1000 3
#   OPT=3 benches/rustc-expand.sh               # the macro built with opt-level 3
#
# The crate is written under $CARGO_TARGET_DIR (or target/) in rustc-expand/.
set -euo pipefail
roles=${1:-1000}
runs=${2:-3}
repo=$(cd "$(dirname "$0")/.." && pwd)
dir=${CARGO_TARGET_DIR:-$repo/target}/rustc-expand
mkdir -p "$dir/src"
cp "$repo/Cargo.lock" "$dir/Cargo.lock"
{
    echo '[package]'
    echo 'name = "rustc-expand"'
    echo 'version = "0.0.0"'
    echo 'edition = "2024"'
    echo 'publish = false'
    echo '[dependencies]'
    echo "supervision = { path = \"$repo/runtime\" }"
    echo '[workspace]'
    if [ -n "${OPT:-}" ]; then
        echo '[profile.dev.build-override]'
        echo "opt-level = $OPT"
    fi
} >"$dir/Cargo.toml"

# The app of `n` roles, as `supervision_benches::dag` writes it.
app() {
    local n=$1 i d
    echo 'use supervision::{BoxError, Context, Service, supervision};'
    for i in 0 1 2 3 4 5 6; do
        echo "pub struct Service$i;"
        echo "impl Service for Service$i {"
        echo '    async fn run(&self, cx: Context) -> Result<(), BoxError> {'
        echo '        cx.stop_requested().await;'
        echo '        Ok(())'
        echo '    }'
        echo '}'
    done
    echo 'supervision! {'
    echo '    pub app Big {'
    for ((i = 0; i < n; i++)); do
        local m=$((i > 1 ? i : 1))
        local deps
        deps=$(for d in $((i / 2)) $((i - 1)) $((i - 3)) $((i / 3)) $((i * 7919 % m)); do
            if ((d >= 0 && d < i)); then echo "$d"; fi
        done | sort -nu | sed 's/^/r/' | paste -sd, - | sed 's/,/, /g')
        echo "        r$i: Service$((i % 7)) { depends_on: [$deps], restart: permanent(3 per 5s) },"
    done
    echo '    }'
    echo '}'
}

measure() {
    local n=$1 run
    app "$n" >"$dir/src/lib.rs"
    for ((run = 1; run <= runs; run++)); do
        touch "$dir/src/lib.rs"
        (cd "$dir" && RUSTC_BOOTSTRAP=1 cargo rustc --quiet --lib -- -Z time-passes 2>&1) |
            awk -v n="$n" -v run="$run" '$NF == "macro_expand_crate" { sub(";", "", $2); print n " roles, run " run ": macro_expand_crate " $2 " s" }'
    done
}

measure "$roles"
measure 1
