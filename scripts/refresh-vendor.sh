#!/usr/bin/env bash
# Refresh the vendored Viz.js (Graphviz compiled to WebAssembly) that the HTML page embeds.
# It fetches the pinned version from the npm registry with `npm pack`, checks the tarball's
# integrity against the one recorded in VERSION, and copies the one release file the page
# needs. To move to a new version: change VERSION's version and integrity lines
# (`npm view @viz-js/viz@X dist.integrity`), run this, look at the pictures, run the tests.
set -euo pipefail
cd "$(dirname "$0")/.."
target=src/icmap/render/vendor/viz-js
version=$(sed -n 's/^version: //p' "$target/VERSION")
integrity=$(sed -n 's/^integrity: //p' "$target/VERSION")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent "@viz-js/viz@$version" >/dev/null)
tarball=("$work"/viz-js-viz-"$version".tgz)
actual="sha512-$(openssl dgst -sha512 -binary "${tarball[0]}" | base64 -w0)"
if [ "$actual" != "$integrity" ]; then
  echo "refresh-vendor: integrity mismatch for @viz-js/viz@$version: $actual" >&2
  exit 1
fi
tar -xzf "${tarball[0]}" -C "$work"
# The page inlines the file in a <script> element: it must not close it.
if grep -qi '</script' "$work/package/dist/viz-global.js"; then
  echo "refresh-vendor: viz-global.js contains </script; the page cannot inline it" >&2
  exit 1
fi
cp "$work/package/dist/viz-global.js" "$target/viz-global.js"
echo "vendored @viz-js/viz@$version into $target"
