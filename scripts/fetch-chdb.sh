#!/usr/bin/env bash
# Fetches the embedded ClickHouse engine (libchdb.so) from the npm registry,
# checks the tarball against the pinned integrity hash, and unpacks the
# library into a per-user cache folder outside the repo. Idempotent.
set -euo pipefail

version=26.5.3
case "$(uname -s)-$(uname -m)" in
  Linux-x86_64)  pkg=@chdb/lib-linux-x64-gnu
                 integrity=sha512-fPrLmRt5Moor9yGz4mazbrNje4t7X9KB2mTGkXFWRxRBs2iKy8yh6jx11xsa0Qr3iDFMU/yHqd+bVdYJXu3QaQ== ;;
  Darwin-arm64)  pkg=@chdb/lib-darwin-arm64; integrity= ;;
  Darwin-x86_64) pkg=@chdb/lib-darwin-x64; integrity= ;;
  *) echo "fetch-chdb: no chDB build for $(uname -s)-$(uname -m); use --clickhouse DSN" >&2; exit 1 ;;
esac
lib=libchdb.so
dest="${XDG_CACHE_HOME:-$HOME/.cache}/opsbot/chdb-$version"
[ "$(uname -s)" = Darwin ] && dest="$HOME/Library/Caches/opsbot/chdb-$version"

if [ -s "$dest/$lib" ]; then
  echo "chdb $version: $dest/$lib"
  exit 0
fi
command -v npm >/dev/null || { echo "fetch-chdb: npm is needed (apt-get install npm)" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
echo "chdb $version: fetching $pkg with npm pack (about 170 MB)…"
(cd "$work" && npm pack --silent "$pkg@$version" >/dev/null 2>npm.log) || { cat "$work/npm.log" >&2; exit 1; }
tgz=$(ls "$work"/*.tgz)
if [ -n "$integrity" ]; then
  got="sha512-$(openssl dgst -sha512 -binary "$tgz" | base64 -w0)"
  if [ "$got" != "$integrity" ]; then
    echo "fetch-chdb: integrity mismatch for $pkg@$version: got $got" >&2
    exit 1
  fi
fi
mkdir -p "$dest"
tar -xzf "$tgz" -C "$work" package/$lib
mv "$work/package/$lib" "$dest/$lib.tmp" && mv "$dest/$lib.tmp" "$dest/$lib"
echo "chdb $version: $dest/$lib"
