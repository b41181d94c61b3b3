#!/bin/sh
# A third-party module built out of tree: install x400ms into a temporary
# DESTDIR, build hello.c with only `pkg-config --cflags --libs x400ms` against
# the installed headers, and have the build tree's x400msd load it.
set -u
top=${X400MS_TOP_BUILDDIR:?run under make check}
src=${X400MS_TOP_SRCDIR:?run under make check}
command -v pkg-config >/dev/null 2>&1 || { echo "SKIP: no pkg-config"; exit 77; }
CC=${CC:-cc}
command -v "$CC" >/dev/null 2>&1 || { echo "SKIP: no C compiler"; exit 77; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/x4t-oot-XXXXXX") || exit 99
pid=
cleanup() {
    [ -n "$pid" ] && kill -KILL "$pid" 2>/dev/null
    [ -n "${X4T_KEEP:-}" ] || rm -rf "$tmp"
}
trap cleanup EXIT
fail() { echo "FAIL: $*"; [ -f "$tmp/x400msd.log" ] && cat "$tmp/x400msd.log"; exit 1; }

# An independent make: not the jobserver of the make check running us.
unset MAKEFLAGS MFLAGS MAKELEVEL
# What a module author needs: the library, the public headers and x400ms.pc.
# The whole `make install` relinks every in-tree module in the build tree,
# which breaks tests running beside this one (make check -j) that load those
# modules at that moment; X4T_FULL_INSTALL=1 asks for it all the same.
if [ -n "${X4T_FULL_INSTALL:-}" ]; then
    set -- install
else
    # libx400ms.la alone: installing libx400ms-client.la relinks it in the build
    # tree (libtool moves the built .so aside meanwhile), and the P7 tests
    # running beside this one would fail to load it.
    set -- install-libLTLIBRARIES lib_LTLIBRARIES=libx400ms.la install-x400msincludeHEADERS \
        install-pkgconfigDATA
fi
make -C "$top" "$@" DESTDIR="$tmp/dest" >"$tmp/install.log" 2>&1 ||
    { cat "$tmp/install.log"; fail "make $* DESTDIR=$tmp/dest"; }

pc=$(find "$tmp/dest" -name x400ms.pc | head -n 1)
[ -n "$pc" ] || fail "x400ms.pc was not installed"
prefix=$(sed -n 's/^prefix=//p' "$pc")
# Relocate only x400ms.pc (--define-variable would relocate jansson.pc too).
mkdir -p "$tmp/pc"
sed "s|^prefix=.*|prefix=$tmp/dest$prefix|" "$pc" >"$tmp/pc/x400ms.pc"
flags=$(PKG_CONFIG_PATH="$tmp/pc" pkg-config --cflags --libs x400ms) ||
    fail "pkg-config --cflags --libs x400ms"
echo "pkg-config x400ms: $flags"
case $flags in *"$tmp/dest"*) ;; *) fail "pkg-config flags do not point into the install: $flags" ;; esac

mkdir -p "$tmp/mods"
# Only the installed headers: no -I into the source or build tree.
$CC -std=gnu11 -Wall -Wextra -Werror -shared -fPIC -o "$tmp/mods/hello.so" \
    "$src/tests/integration/oot-module/hello.c" $flags || fail "compiling hello.c out of tree"

cat >"$tmp/x400ms.json" <<JSON
{
  "module_path": "$tmp/mods",
  "data_dir": "data",
  "modules": [ { "name": "hello", "config": { "greeting": "good morning", "repeat": 2 } } ]
}
JSON

"$top/core/x400msd" -t -c "$tmp/x400ms.json" >"$tmp/check.log" 2>&1 ||
    { cat "$tmp/check.log"; fail "x400msd -t refused the manifest"; }

"$top/core/x400msd" -f -c "$tmp/x400ms.json" >"$tmp/x400msd.log" 2>&1 &
pid=$!
i=0
until grep -q "x400msd ready" "$tmp/x400msd.log" 2>/dev/null; do
    kill -0 "$pid" 2>/dev/null || { pid=; fail "x400msd exited before ready"; }
    i=$((i + 1))
    [ $i -lt 300 ] || fail "x400msd not ready after 30 s"
    sleep 0.1
done
grep -q "notice \[hello\] good morning from an out-of-tree module" "$tmp/x400msd.log" ||
    fail "the module's log line is missing"
[ "$(grep -c 'good morning from an out-of-tree module' "$tmp/x400msd.log")" -eq 2 ] ||
    fail "the module's config (repeat 2) was not applied"
grep -q "module hello 1.0 from $tmp/mods/hello.so" "$tmp/x400msd.log" ||
    fail "the daemon did not load hello from $tmp/mods"

kill -TERM "$pid"
wait "$pid"
status=$?
pid=
[ "$status" -eq 0 ] || fail "x400msd exited $status after SIGTERM"
echo "PASS: out-of-tree module hello built with pkg-config and loaded"
exit 0
