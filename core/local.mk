# core/: the daemon and the core runtime (part of libx400ms).
libx400ms_la_SOURCES += core/error.c
sbin_PROGRAMS += core/x400msd
core_x400msd_SOURCES = core/main.c
core_x400msd_LDADD = libx400ms.la $(JANSSON_LIBS) $(LTDL_LIBS) $(PTHREAD_LIBS)
include $(srcdir)/core/osi/local.mk
