#!/usr/bin/env bash
# Installs a real OpenClaw (and the Node 24 it needs) from the npm registry into a folder OUTSIDE the repo,
# for the conformance test and `npm run bench -- --vs-openclaw`. Idempotent; prints the folder.
# Versions are pinned: on Node 20 an unpinned `npm install openclaw` picks an empty placeholder release.
set -euo pipefail
dir="${PINCER_OPENCLAW_PEER_DIR:-${TMPDIR:-/tmp}/pincer-openclaw-peer}"
openclaw_version="${PINCER_OPENCLAW_VERSION:-2026.9.6}"
node_version="${PINCER_OPENCLAW_NODE_VERSION:-24}"
mkdir -p "$dir"
cd "$dir"
if [ -x node_modules/.bin/openclaw ] && [ -x node_modules/.bin/node ] && node_modules/.bin/node --version | grep -q '^v2[4-9]'; then
  echo "$dir"
  exit 0
fi
cat > package.json <<JSON
{ "name": "pincer-openclaw-peer", "private": true, "allowScripts": { "node": true } }
JSON
# Node 24 first, then OpenClaw with that Node first on PATH: OpenClaw's own install scripts refuse Node 20.
npm install --no-audit --no-fund --loglevel=error "node@${node_version}" >&2
PATH="$dir/node_modules/.bin:$PATH" npm install --no-audit --no-fund --loglevel=error "openclaw@${openclaw_version}" >&2
echo "$dir"
