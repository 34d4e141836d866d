# Sourced by benchmark scripts: sets `work` to KEEP (kept, so a second run reuses what the first
# made) or to a temporary folder removed when the script exits.
if [ -n "${KEEP:-}" ]; then
  work=$(realpath -m "$KEEP")
  mkdir -p "$work"
else
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
fi
