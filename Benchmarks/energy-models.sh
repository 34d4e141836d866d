#!/usr/bin/env bash
# This machine's CPU energy per stage and training run of a workspace under the old model (TDP ×
# the process's share of the logical CPUs, 85 W for an unknown CPU: CodeCarbon's default) and
# the per-vCPU model (Cloud Carbon Footprint's idle/max watts per vCPU of the processor family,
# for every family a cloud VM like this one might be sold as), from each run's recorded wall and
# CPU seconds: both models are linear in them (per-vCPU: vCPUs × idle × seconds + (max − idle) ×
# CPU seconds), so one workspace gives every column. Memory is left out of both.
#   Benchmarks/energy-models.sh [WORKSPACE=work-quickstart]
set -euo pipefail
cd "$(dirname "$0")/.."
workspace=${1:-work-quickstart}
if [ ! -f "$workspace/hatchery.db" ]; then echo "skip: $workspace/hatchery.db is missing (run scripts/quickstart)"; exit 0; fi
if ! command -v sqlite3 >/dev/null; then echo "skip: sqlite3 is not installed"; exit 0; fi
vcpus=$(nproc)
echo "workspace $workspace, $vcpus vCPUs ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), cpu family $(grep -m1 'cpu family' /proc/cpuinfo | cut -d: -f2 | xargs)), $(date -u +%Y-%m-%d)"
# name|seconds|cpu seconds; training runs' seconds are the loop's.
rows=$(sqlite3 -separator '|' "$workspace/hatchery.db" "
  SELECT stage, strftime('%s', finished_at) - strftime('%s', started_at), cpu_seconds FROM stage_runs
    WHERE status = 'completed' AND cpu_seconds IS NOT NULL
  UNION ALL
  SELECT kind, coalesce(seconds, strftime('%s', finished_at) - strftime('%s', started_at)), cpu_seconds FROM training_runs
    WHERE status = 'completed' AND cpu_seconds IS NOT NULL")
printf '%s\n' "$rows" | awk -F'|' -v v="$vcpus" '
  function perv(T, c, lo, hi) { if (c > v * T) c = v * T; return (v * lo * T + (hi - lo) * c) / 3600 }
  BEGIN {
    printf "%-10s %8s %8s %10s %12s %12s %12s %12s %8s\n", "run", "wall s", "CPU s", "old Wh", "EPYC5 Wh", "EPYC4 Wh", "EPYC3 Wh", "CCF avg Wh", "old/new"
  }
  {
    T = ($2 < 1) ? 1 : $2; c = $3
    old = 85 * (c / v > T ? T : c / v) / 3600
    e5 = perv(T, c, 3.682, 8.961); e4 = perv(T, c, 0.739, 2.282); e3 = perv(T, c, 0.456, 1.957); avg = perv(T, c, 0.74, 3.5)
    printf "%-10s %8.1f %8.1f %10.3f %12.3f %12.3f %12.3f %12.3f %8.1f\n", $1, T, c, old, e5, e4, e3, avg, old / e5
    so += old; s5 += e5; s4 += e4; s3 += e3; sa += avg; st += T; sc += c
  }
  END { printf "%-10s %8.1f %8.1f %10.3f %12.3f %12.3f %12.3f %12.3f %8.1f\n", "total", st, sc, so, s5, s4, s3, sa, so / s5 }'
