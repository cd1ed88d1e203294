#!/usr/bin/env bash
# K11: the real Secret Service round trip. Installs Debian's gnome-keyring and D-Bus if
# missing, starts a private session bus with an unlocked gnome-keyring (throwaway HOME), and
# runs the tests marked `real_keyring` there. Red when they fail or do not run; when the
# packages cannot be installed it says why and the tests report themselves skipped.
set -euo pipefail
cd "$(dirname "$0")/.."
python=${PYTHON:-python}

missing=()
command -v dbus-run-session >/dev/null || missing+=(dbus-daemon)
command -v gnome-keyring-daemon >/dev/null || missing+=(gnome-keyring)
if [ "${#missing[@]}" -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo -n"
  echo "real-keyring: installing ${missing[*]}"
  if ! { $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
         $sudo apt-get install -y -qq --no-install-recommends \
         gnome-keyring dbus-daemon dbus-x11 libsecret-tools; } >/tmp/freechat-apt.log 2>&1; then
    echo "real-keyring: SKIPPED: cannot install ${missing[*]} (see /tmp/freechat-apt.log)" >&2
    "$python" -m pytest -m real_keyring tests/keys -q -rs -p no:cacheprovider || true
    exit 0
  fi
fi

home=$(mktemp -d)
trap 'rm -rf "$home"' EXIT
export HOME="$home" XDG_DATA_HOME="$home/share" XDG_CONFIG_HOME="$home/config"
export XDG_RUNTIME_DIR="$home/run" FREECHAT_REAL_KEYRING=1
mkdir -p -m 700 "$XDG_RUNTIME_DIR"
log="$home/pytest.log"

set +e
dbus-run-session -- sh -c '
  echo freechat-ci | gnome-keyring-daemon --unlock --components=secrets >/dev/null || exit 97
  exec "$0" -m pytest -m real_keyring tests/keys -q -rs -p no:cacheprovider
' "$python" 2>&1 | grep -v -e "Failed to set fd limit" -e "transient service directory" | tee "$log"
status=${PIPESTATUS[0]}
set -e
if [ "$status" -ne 0 ]; then
  echo "real-keyring: FAILED (exit $status)" >&2
  exit "$status"
fi
if ! grep -qE '[0-9]+ passed' "$log" || grep -qE '[0-9]+ skipped' "$log"; then
  echo "real-keyring: FAILED: the real keyring tests did not all run and pass" >&2
  exit 1
fi
echo "real-keyring: passed"
