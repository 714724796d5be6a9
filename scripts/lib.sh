# Shared set-up for ./scripts/run and ./scripts/test: sourced, not run.
# Idempotent: a second run checks and skips (packages present, the lock file unchanged since the
# last install, messages compiled), so it takes seconds.

set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

VENV="$ROOT/.venv"
# Debian's packages the app needs at run time: Pango and HarfBuzz's subsetter for WeasyPrint
# (without libharfbuzz-subset0 it falls back to fontTools, about four times slower), the CJK fonts
# the PDFs embed (fonts-noto-cjk: serif body and bold title, sans 一、 headings;
# fonts-arphic-gkai00mp: AR PL KaitiM GB for the 楷体 （一） headings, 4 MB), fc-list for the font system check, msgfmt for compilemessages, and LibreOffice
# without its desktop (soffice --headless) to read old Word and WPS files (intake/convert.py;
# about 80 MB to download, 250 MB installed; antiword is lighter but misreads Chinese .doc).
RUNTIME_PACKAGES=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fontconfig fonts-noto-cjk
  fonts-arphic-gkai00mp gettext libreoffice-writer-nogui)
# And for the tests: pdftotext/pdffonts read the PDFs back, chromium drives the browser tests.
TEST_PACKAGES=(poppler-utils chromium)

say() { printf '==> %s\n' "$*"; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# A Python 3.11+ on PATH (PYTHON overrides).
find_python() {
  local candidate
  for candidate in ${PYTHON:-} python3 python3.13 python3.12 python3.11; do
    if command -v "$candidate" >/dev/null 2>&1 &&
      "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
      command -v "$candidate"
      return 0
    fi
  done
  return 1
}

venv_works() { "$VENV/bin/python" -c '' >/dev/null 2>&1; }

# Install the Debian packages that are missing: with apt-get when root, else stop with the command.
ensure_system_packages() {
  local missing=() package python
  if ! command -v dpkg-query >/dev/null 2>&1; then
    say "No dpkg here: make sure these are installed: $* (and Python 3.11+ with venv)"
    return 0
  fi
  for package in "$@"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed' ||
      missing+=("$package")
  done
  # Debian's own python3 needs python3-venv for `-m venv`; a pyenv or self-built Python has it.
  if venv_works; then
    :
  elif ! python=$(find_python); then
    missing+=(python3 python3-venv)
  elif ! "$python" -c 'import ensurepip, venv' 2>/dev/null; then
    missing+=(python3-venv)
  fi
  [ ${#missing[@]} -eq 0 ] && return 0

  if [ "$(id -u)" -eq 0 ]; then
    say "Installing system packages: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}"
  else
    printf 'These system packages are missing. Install them, then run this command again:\n\n' >&2
    printf '    sudo apt-get install -y %s\n\n' "${missing[*]}" >&2
    exit 1
  fi
}

# .venv with the locked Python packages: requirements/base.txt for run, requirements/dev.txt (base
# and the test tools) for test. pyproject.toml keeps the ranges; the lock files pin one version of
# each package with its hashes, so every machine installs the same WeasyPrint and renders the same
# PDFs. The project itself is not installed: it has no packages (pyproject's packages = []), so an
# editable install would add nothing to sys.path. $1: "run" or "test".
ensure_venv() {
  local python
  if ! venv_works; then
    python=$(find_python) || die "Python 3.11 or newer is needed (set PYTHON=/path/to/python3.11)."
    say "Creating .venv with $python"
    rm -rf "$VENV"
    "$python" -m venv "$VENV"
  fi
  if [ "${1:-run}" = test ]; then
    install_lock requirements/dev.txt
  else
    install_lock requirements/base.txt
  fi
}

# pip install -r the lock file $1 with --require-hashes (exact versions, every file checked against
# its hash); pip runs again only when the lock file (or the Python) changed since the last install.
install_lock() {
  local lock=$1 stamp wanted
  stamp="$VENV/.studygroup-installed-$(basename "$lock" .txt)"
  wanted=$( (cat "$lock"; "$VENV/bin/python" -V) | sha256sum | cut -d' ' -f1)
  if [ "$(cat "$stamp" 2>/dev/null)" != "$wanted" ]; then
    say "Installing the Python packages of $lock into .venv"
    "$VENV/bin/python" -m pip install --disable-pip-version-check -q --require-hashes -r "$lock"
    echo "$wanted" >"$stamp"
  fi
}

# manage.py with the development default: SECRET_KEY has a dev value only while DEBUG is on.
manage() { DEBUG="${DEBUG:-1}" "$VENV/bin/python" manage.py "$@"; }

# Compile the catalogues; Django skips a .mo that is newer than its .po.
compile_messages() {
  if [ -n "$(find locale -name '*.po' 2>/dev/null | head -n 1)" ]; then
    manage compilemessages --ignore=.venv --ignore='node_modules' >/dev/null
  fi
}

# Everything both commands need. $1: "run" or "test".
setup_project() {
  local packages=("${RUNTIME_PACKAGES[@]}")
  [ "${1:-run}" = test ] && packages+=("${TEST_PACKAGES[@]}")
  ensure_system_packages "${packages[@]}"
  ensure_venv "${1:-run}"
  ensure_dev_env_file
  compile_messages
}

# A development checkout runs with DEBUG on, so that plain `.venv/bin/python manage.py ...`
# works too; settings.py reads .env, and variables set in the environment still win.
ensure_dev_env_file() {
  if [ ! -e .env ]; then
    printf '# Written by scripts/lib.sh for this development checkout; not committed.\nDEBUG=1\n' >.env
  fi
}
