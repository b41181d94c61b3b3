# modules/action/forward (module "forward": ipm-auto-forward and delayed
# auto-forward). See docs/auto-actions.md.
forward_sources = \
	modules/action/forward/forward.h \
	modules/action/forward/forward.c \
	modules/action/forward/build.c \
	modules/action/forward/set.c \
	modules/action/forward/notify.c \
	modules/action/forward/param_ber.c \
	modules/action/forward/stored.c
if BUILD_MODULE_FORWARD
if MODULE_FORWARD_STATIC
noinst_LTLIBRARIES += modules/action/forward/libforward-builtin.la
modules_action_forward_libforward_builtin_la_SOURCES = $(forward_sources)
modules_action_forward_libforward_builtin_la_CFLAGS = $(AM_CFLAGS) -DX400MS_BUILTIN_MODULE=forward
X400MSD_STATIC_MODULE_LIBS += modules/action/forward/libforward-builtin.la
else
pkglib_LTLIBRARIES += modules/forward.la
modules_forward_la_SOURCES = $(forward_sources)
modules_forward_la_LDFLAGS = $(MODULE_LINK_FLAGS)
modules_forward_la_LIBADD = $(MODULE_LINK_LIBS) $(PTHREAD_LIBS)
endif
endif
