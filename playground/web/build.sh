#!/bin/sh
# Bundles the page into ../assets, which the crate builds into the binary. Run after
# `npm ci` whenever src/ or the dependencies change, and commit ../assets.
set -eu
cd "$(dirname "$0")"
npx esbuild src/main.js --bundle --minify --format=iife --target=es2020 \
    --legal-comments=none --outfile=../assets/app.js
cp src/index.html src/app.css ../assets/
