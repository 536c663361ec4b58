#!/usr/bin/env bash
# Installs the Debian/Ubuntu packages syndicate needs (idempotent; runs apt only when one is missing).
#   libharfbuzz-subset0  WeasyPrint subsets fonts with it (without it: a warning and ~6x slower PDFs)
#   fonts-dejavu-core    the font families the templates name explicitly
#   poppler-utils, qpdf  independent PDF readers used by the tests (pdftotext, pdfinfo, pdffonts)
#   newsboat             a real feed reader the tests subscribe with
#   fonts-noto-core      fallback coverage (Arabic, Hebrew, Tifinagh, ...) for quotes in a PDF whose
#                        characters DejaVu lacks; a character no font has is an error, not a box
#   chromium             the real browser the page tests drive with Playwright (never downloaded)
set -euo pipefail
packages=(libharfbuzz-subset0 fonts-dejavu-core poppler-utils qpdf newsboat fonts-noto-core chromium)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "Installing system packages: ${missing[*]}"
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
