#!/usr/bin/env bash
# with_comma_locale.sh CMD [ARGS...] - runs CMD with LOCPATH pointing at a German locale
# (de_DE.UTF-8: decimal comma) compiled once with localedef (Debian package locales) into the
# test-data cache, so that tests can run code in a process whose LC_NUMERIC is not "C".
set -euo pipefail
cache=${DEFACE_TESTDATA:-${XDG_CACHE_HOME:-$HOME/.cache}/deface-testdata}
locpath=$cache/locale
if [[ ! -e $locpath/de_DE.UTF-8/LC_NUMERIC ]]; then
  mkdir -p "$locpath"
  localedef -i de_DE -f UTF-8 "$locpath/de_DE.UTF-8" ||
    { echo "with_comma_locale.sh: localedef could not build de_DE.UTF-8 (package locales)" >&2; exit 1; }
fi
LOCPATH=$locpath exec "$@"
