# Public headers: the only API modules (and third-party modules) see.
# Headers of a subsystem owned elsewhere are added by that subsystem's fragment.
x400msincludedir = $(includedir)/x400ms
x400msinclude_HEADERS = \
	include/x400ms/error.h \
	include/x400ms/log.h \
	include/x400ms/loop.h \
	include/x400ms/module.h \
	include/x400ms/core.h \
	include/x400ms/hooks.h \
	include/x400ms/config.h \
	include/x400ms/transport.h
