#!/usr/bin/env bash
# Renders a workspace's report.html in headless Chromium (Debian's `chromium` package) and writes
# a screenshot, to check by eye that the page — tables, inline SVG charts — looks right in a real
# browser. Skips cleanly without chromium.
#   Benchmarks/report-screenshot.sh WORKSPACE [OUT.png]
set -euo pipefail
cd "$(dirname "$0")/.."
workspace=${1:?usage: Benchmarks/report-screenshot.sh WORKSPACE [OUT.png]}
out=${2:-$workspace/report.png}
browser=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$browser" ]; then echo "skip: chromium is not installed (apt-get install chromium)"; exit 0; fi
swift build -c release --product hatchery >/dev/null
.build/release/hatchery report -w "$workspace" --samples 1
"$browser" --headless --no-sandbox --disable-gpu --hide-scrollbars --window-size=1100,2600 \
  --screenshot="$out" "file://$(cd "$workspace" && pwd)/report.html" 2>/dev/null
echo "screenshot: $out"
