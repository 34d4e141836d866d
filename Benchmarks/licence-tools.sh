# Sourced by the licence benchmarks: ScanCode-toolkit in SCANCODE_VENV (default
# Benchmarks/.venv-scancode, ignored by git; installed when missing), Hatchery's release build, and
# `time_licence_tools NAME DIR FILES…`, which runs `hatchery license detect` on FILES three times
# (one process; its output in $work/hatchery-NAME.jsonl, the median time in $work/hatchery-NAME-seconds)
# and ScanCode once on DIR (as many processes as cores; $work/scancode-NAME.json, kept between runs
# unless RESCAN is set) and prints both speeds.
venv=${SCANCODE_VENV:-Benchmarks/.venv-scancode}
if [ ! -x "$venv/bin/scancode" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q scancode-toolkit "pluggy<1.1"  # plugincode breaks with pluggy 1.1+
fi
swift build -c release --product hatchery >/dev/null
hatchery=$PWD/.build/release/hatchery

time_licence_tools() {
  local name=$1 dir=$2
  shift 2
  local seconds=() start
  for _ in 1 2 3; do
    start=$(date +%s.%N)
    "$hatchery" license detect "$@" >"$work/hatchery-$name.jsonl"
    seconds+=("$(echo "$(date +%s.%N) - $start" | bc -l)")
  done
  printf '%s\n' "${seconds[@]}" | sort -g | sed -n 2p >"$work/hatchery-$name-seconds"
  if [ ! -f "$work/scancode-$name.json" ] || [ -n "${RESCAN:-}" ]; then
    start=$(date +%s.%N)
    "$venv/bin/scancode" --license --json "$work/scancode-$name.json" --processes "$(nproc)" "$dir" >/dev/null 2>&1
    echo "$(date +%s.%N) - $start" | bc -l >"$work/scancode-$name-seconds"
  fi
  local mine theirs
  mine=$(cat "$work/hatchery-$name-seconds")
  theirs=$(cat "$work/scancode-$name-seconds")
  printf '%s, %d files: hatchery license detect %.3f s (median of 3), %.1f files/s; scancode --license %.1f s, %.2f files/s; %.0fx\n' \
    "$name" "$#" "$mine" "$(echo "$# / $mine" | bc -l)" "$theirs" "$(echo "$# / $theirs" | bc -l)" \
    "$(echo "$theirs / $mine" | bc -l)"
}
