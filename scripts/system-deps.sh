#!/usr/bin/env bash
# Installs the Debian packages envhub needs, when they are missing; does nothing when all are there.
#
#   scripts/system-deps.sh base   what `make run` needs: Python's venv module (ensurepip), which
#                                 Debian ships apart (python3.11-venv / python3-venv); Pango
#                                 (libpango-1.0-0, libpangoft2-1.0-0) and fonts-noto-core, with
#                                 which the worker's WeasyPrint lays out the monthly PDF reports;
#                                 the library's text (envhub/library/ocr.py): poppler-utils
#                                 (pdftotext, pdfinfo: PDF text layers; pdftoppm: previews),
#                                 tesseract-ocr with tesseract-ocr-vie (Vietnamese; English comes
#                                 with tesseract-ocr) and ocrmypdf, which the worker runs on scans
#   scripts/system-deps.sh test   base, and what the tests need:
#     chromium         real browser for the Playwright tests (never `playwright install`)
#     gettext          makemessages / compilemessages for the message catalogues
#     (fonts-noto-core is base's: Vietnamese glyphs in screenshots and PDF reports)
#     nginx            the reverse proxy of docs/operations.md, run by a test in front of gunicorn
#     (poppler-utils is base's: the print tests read back the PDF Chromium prints with it)
#
# PYTHON names the interpreter the virtualenv is made with (the Makefile passes its own).
set -euo pipefail

profile="${1:-}"
case "$profile" in
  base|test) ;;
  *) echo "usage: $0 base|test" >&2; exit 2 ;;
esac

python="${PYTHON:-$(command -v python3.11 || command -v python3 || true)}"

packages=()
# `python -m venv` needs ensurepip; on Debian it comes with the -venv package of that Python.
if [ -n "$python" ] && ! "$python" -m ensurepip --version >/dev/null 2>&1; then
  version=$("$python" -c 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1]}")' 2>/dev/null || true)
  if [ -n "$version" ] && apt-cache show "python${version}-venv" >/dev/null 2>&1; then
    packages+=("python${version}-venv")
  else
    packages+=(python3-venv)
  fi
fi
packages+=(libpango-1.0-0 libpangoft2-1.0-0 fonts-noto-core)
packages+=(poppler-utils tesseract-ocr tesseract-ocr-vie ocrmypdf)
if [ "$profile" = test ]; then
  packages+=(chromium gettext nginx)
fi

missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" \
    || missing+=("$package")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "Installing Debian packages: ${missing[*]}" >&2
if [ "$(id -u)" -eq 0 ]; then
  sudo=()
elif command -v sudo >/dev/null 2>&1; then
  sudo=(sudo)
else
  echo "Missing packages (${missing[*]}) and no root or sudo to install them." >&2
  echo "Install them with: apt-get install -y ${missing[*]}" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
