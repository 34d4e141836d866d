# Sourced by the set-up scripts: installs the Debian/Ubuntu packages Hatchery builds against,
# when any is missing. Swift itself (6.1 or later) must already be on the PATH.
hatchery_packages="pkg-config libsqlite3-dev libzstd-dev libxml2-dev zlib1g-dev libopenblas-dev libxxhash-dev libssl-dev libbz2-dev libsnappy-dev liblz4-dev libbrotli-dev zstd"

hatchery_install_system_packages() {
  local missing=()
  for package in $hatchery_packages; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    echo "installing system packages: ${missing[*]}" >&2
    local sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
  if ! command -v swift >/dev/null 2>&1; then
    echo "error: swift is not on the PATH; install a Swift 6.1+ toolchain from swift.org first" >&2
    exit 1
  fi
}
