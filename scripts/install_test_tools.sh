#!/usr/bin/env bash
# System tools the test suite drives: Debian's Chromium (browser tests, through Playwright) and a
# small TeX Live (the LaTeX output must compile). Playwright's own browser download needs the
# internet, so the tests use this Chromium instead. Installs only what is missing.
set -euo pipefail
missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v pdflatex >/dev/null 2>&1 || missing+=(texlive-latex-base texlive-latex-recommended texlive-fonts-recommended)
if [ ${#missing[@]} -eq 0 ]; then
    exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then
        exec sudo "$0"
    fi
    echo "The tests need ${missing[*]}; install them (apt-get install ${missing[*]}) or run as root." >&2
    exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
