#!/usr/bin/env bash
# Install Debian's Chromium for the web pages' browser tests, unless it is already there.
# Safe to run again. Prints one line, the browser's path; everything else goes to stderr.
# Usage: ALLEGE_CHROMIUM=$(bash .ci/chromium.sh)
# Needs root (apt-get). Playwright drives this browser; `playwright install` is never run.
set -euo pipefail

find_chromium() {
    for candidate in /usr/bin/chromium /usr/bin/chromium-browser; do
        if [ -x "$candidate" ]; then
            echo "$candidate"
            return 0
        fi
    done
    return 1
}

if ! find_chromium >/dev/null; then
    echo "chromium.sh: installing chromium from Debian packages" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2
    apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >&2
fi

find_chromium
