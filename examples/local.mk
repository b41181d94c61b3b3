# examples/: third-party examples built out of tree, and their tests.
#
# examples/autoaction-log is NOT built by this build: it is a third-party
# auto-action plugin with its own Makefile (pkg-config --cflags --libs
# x400ms). tests/integration/plugin/plugin.sh installs the tree into a
# temporary DESTDIR, builds the plugin against it and loads it into the
# daemon; the same script checks ageing by manifest (store_file
# default_max_age, see etc/examples/icao-ageing.json).
EXTRA_DIST += examples/autoaction-log/autoaction_log.c \
	examples/autoaction-log/Makefile \
	examples/autoaction-log/README.md
TESTS += tests/integration/plugin/plugin.sh
EXTRA_DIST += tests/integration/plugin/plugin.sh
