# modules/protocol/rtse: X.228 reliable transfer, normal mode.
rtse_sources = modules/protocol/rtse/rtse.c
if BUILD_MODULE_RTSE
if MODULE_RTSE_STATIC
noinst_LTLIBRARIES += modules/protocol/rtse/librtse-builtin.la
modules_protocol_rtse_librtse_builtin_la_SOURCES = $(rtse_sources)
modules_protocol_rtse_librtse_builtin_la_CFLAGS = $(AM_CFLAGS) -DX400MS_BUILTIN_MODULE=rtse
X400MSD_STATIC_MODULE_LIBS += modules/protocol/rtse/librtse-builtin.la
else
pkglib_LTLIBRARIES += modules/rtse.la
modules_rtse_la_SOURCES = $(rtse_sources)
modules_rtse_la_LDFLAGS = $(MODULE_LINK_FLAGS)
modules_rtse_la_LIBADD = $(MODULE_LINK_LIBS)
endif
endif
