# modules/transport/rfc1006: RFC 1006 (TPKT) + X.224 class 0 transport.
rfc1006_sources = \
	modules/transport/rfc1006/rfc1006.h \
	modules/transport/rfc1006/module.c \
	modules/transport/rfc1006/listener.c \
	modules/transport/rfc1006/connect.c \
	modules/transport/rfc1006/conn.c \
	modules/transport/rfc1006/stream_tcp.c \
	modules/transport/rfc1006/tsel.c
if BUILD_MODULE_RFC1006
if MODULE_RFC1006_STATIC
noinst_LTLIBRARIES += modules/transport/rfc1006/librfc1006-builtin.la
modules_transport_rfc1006_librfc1006_builtin_la_SOURCES = $(rfc1006_sources)
modules_transport_rfc1006_librfc1006_builtin_la_CFLAGS = $(AM_CFLAGS) -DX400MS_BUILTIN_MODULE=rfc1006
X400MSD_STATIC_MODULE_LIBS += modules/transport/rfc1006/librfc1006-builtin.la
else
pkglib_LTLIBRARIES += modules/rfc1006.la
modules_rfc1006_la_SOURCES = $(rfc1006_sources)
modules_rfc1006_la_LDFLAGS = $(MODULE_LINK_FLAGS)
modules_rfc1006_la_LIBADD = $(MODULE_LINK_LIBS) $(PTHREAD_LIBS)
endif
endif
