#!/bin/sh
# Copies Leaflet's dist files, pinned in package.json / package-lock.json,
# into web/static/leaflet (embedded in the binary and committed), with its
# licence. To update: change the exact version in package.json (or
# `npm install --save-exact leaflet@X.Y.Z` here), then run this script and
# commit package.json, package-lock.json and web/static/leaflet.
set -eu
cd "$(dirname "$0")"
npm ci --no-audit --no-fund
src=node_modules/leaflet
dst=../static/leaflet
rm -rf "$dst"
mkdir -p "$dst/images"
cp "$src/dist/leaflet.js" "$src/dist/leaflet.css" "$dst/"
cp "$src/dist/images/"*.png "$dst/images/"
cp "$src/LICENSE" "$dst/LICENSE"
node -e 'console.log(require("./node_modules/leaflet/package.json").version)' > "$dst/VERSION"
echo "Leaflet $(cat "$dst/VERSION") copied into web/static/leaflet"
