#!/usr/bin/env bash
# Install the Debian/Ubuntu packages briefing needs, and only those that are missing.
#   scripts/setup-system.sh runtime        Pango, HarfBuzz subsetting, Noto fonts, python3-venv
#   scripts/setup-system.sh runtime test   + the real clients the tests drive (chromium: the
#                                          browser test of `briefing serve`, driven by Playwright;
#                                          Java with the JAXB runtime: veraPDF's engine; git:
#                                          `briefing diff` and its tests)
# Without root or sudo it prints the exact apt command and stops.
set -euo pipefail

runtime=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fontconfig fonts-noto-core shared-mime-info)
test=(poppler-utils libreoffice-writer-nogui pandoc gettext git chromium libatomic1 default-jre-headless libjaxb-java)

want=()
for group in "$@"; do
  case $group in
    runtime) want+=("${runtime[@]}") ;;
    test) want+=("${test[@]}") ;;
    *) echo "setup-system: unknown group '$group' (runtime, test)" >&2; exit 2 ;;
  esac
done
# Debian's own python3 needs python3-venv for 'python3 -m venv'
if ! python3 -c 'import ensurepip' >/dev/null 2>&1; then
  want+=(python3-venv)
fi

missing=()
for pkg in "${want[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
  [[ $status == "install ok installed" ]] || missing+=("$pkg")
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

if ! command -v apt-get >/dev/null; then
  echo "setup-system: these packages are missing and this is not a Debian/Ubuntu system:" >&2
  echo "  ${missing[*]}" >&2
  exit 1
fi
cmd=(apt-get install -y -q --no-install-recommends "${missing[@]}")
if [[ $(id -u) -eq 0 ]]; then
  sudo=()
elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
  sudo=(sudo)
else
  echo "setup-system: missing system packages: ${missing[*]}" >&2
  echo "Run this as root (or ask an administrator), then run make again:" >&2
  echo "  sudo apt-get update && sudo DEBIAN_FRONTEND=noninteractive ${cmd[*]}" >&2
  exit 1
fi
echo "setup-system: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -q >/dev/null
"${sudo[@]}" "${cmd[@]}" >/dev/null
