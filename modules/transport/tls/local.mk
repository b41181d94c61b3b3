# modules/transport/tls: TLS stream filter under RFC 1006.
tls_sources = \
	modules/transport/tls/tls.h \
	modules/transport/tls/module.c \
	modules/transport/tls/context.c \
	modules/transport/tls/stream.c
if BUILD_MODULE_TLS
if MODULE_TLS_STATIC
noinst_LTLIBRARIES += modules/transport/tls/libtls-builtin.la
modules_transport_tls_libtls_builtin_la_SOURCES = $(tls_sources)
modules_transport_tls_libtls_builtin_la_CFLAGS = $(AM_CFLAGS) -DX400MS_BUILTIN_MODULE=tls
modules_transport_tls_libtls_builtin_la_LIBADD = $(OPENSSL_LIBS)
X400MSD_STATIC_MODULE_LIBS += modules/transport/tls/libtls-builtin.la
else
pkglib_LTLIBRARIES += modules/tls.la
modules_tls_la_SOURCES = $(tls_sources)
modules_tls_la_LDFLAGS = $(MODULE_LINK_FLAGS)
modules_tls_la_LIBADD = $(MODULE_LINK_LIBS) $(OPENSSL_LIBS)
endif
endif
