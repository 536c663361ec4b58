#!/usr/bin/env bash
# Installs the Debian/Ubuntu packages syndicate needs (idempotent; runs apt only when one is missing).
#   libharfbuzz-subset0  WeasyPrint subsets fonts with it (without it: a warning and ~6x slower PDFs)
#   fonts-dejavu-core    the font families the templates name explicitly
#   poppler-utils, qpdf  independent PDF readers used by the tests (pdftotext, pdfinfo, pdffonts)
#   newsboat             a real feed reader the tests subscribe with
#   fonts-noto-core      fallback coverage (Arabic, Hebrew, Tifinagh, ...) for quotes in a PDF whose
#                        characters DejaVu lacks; a character no font has is an error, not a box
#   fonts-noto-color-emoji  emoji (flags, symbols) in titles, summaries and texts; without it a PDF
#                        with an emoji is an error ("is in no installed font")
#   fontconfig           fc-list: `check` asks it which characters the installed fonts can draw
#   chromium             the real browser the page tests drive with Playwright (never downloaded)
#   default-jre-headless Java for the Nu Html Checker (vnu.jar), unless a `java` is already there
#   nodejs, npm          npm installs the validators of package.json, unless an `npm` is there
#   softhsm2             a PKCS#11 token in software: tests/seal seals with a key held by it
#   libnss3-tools        certutil: tests/seal makes the NSS database whose root poppler's
#                        pdfsig trusts when it checks a seal
# Then the validators the tests run, from package.json's lock file into node_modules/ (vnu-jar:
# the Nu Html Checker; axe-core: accessibility rules run in chromium), with no install scripts:
# nothing downloads a Java or a browser of its own.
set -euo pipefail
packages=(libharfbuzz-subset0 fonts-dejavu-core poppler-utils qpdf newsboat fonts-noto-core
          fonts-noto-color-emoji fontconfig chromium softhsm2 libnss3-tools)
command -v java >/dev/null || packages+=(default-jre-headless)
command -v npm >/dev/null || packages+=(nodejs npm)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "Installing system packages: ${missing[*]}"
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
stamp=node_modules/.installed
if [ ! -f "$stamp" ] || [ package-lock.json -nt "$stamp" ]; then
  npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
  touch "$stamp"
fi
