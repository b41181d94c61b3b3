# modules/store/file: the file store backend. See
# docs/store-format.md and include/x400ms/store.h.
x400msinclude_HEADERS += include/x400ms/store.h

# The backend itself, shared by the module and the unit tests.
storefile_sources = \
	modules/store/file/crc32c.c modules/store/file/crc32c.h \
	modules/store/file/entry_file.c modules/store/file/entry_file.h \
	modules/store/file/fsutil.c modules/store/file/fsutil.h \
	modules/store/file/index.c modules/store/file/index_file.c modules/store/file/index.h \
	modules/store/file/filter.c \
	modules/store/file/commit.c \
	modules/store/file/settle.c \
	modules/store/file/journal.c modules/store/file/journal.h \
	modules/store/file/mailbox.c \
	modules/store/file/store.c \
	modules/store/file/ops.c \
	modules/store/file/backup.c \
	modules/store/file/metrics.c modules/store/file/metrics.h \
	modules/store/file/store_file.h
noinst_LTLIBRARIES += modules/store/file/libstorefile.la
modules_store_file_libstorefile_la_SOURCES = $(storefile_sources)
modules_store_file_libstorefile_la_CFLAGS = $(AM_CFLAGS)

if BUILD_MODULE_STORE_FILE
if MODULE_STORE_FILE_STATIC
noinst_LTLIBRARIES += modules/store/file/libstore_file-builtin.la
modules_store_file_libstore_file_builtin_la_SOURCES = modules/store/file/module.c
modules_store_file_libstore_file_builtin_la_CFLAGS = $(AM_CFLAGS) -DX400MS_BUILTIN_MODULE=store_file
modules_store_file_libstore_file_builtin_la_LIBADD = modules/store/file/libstorefile.la
X400MSD_STATIC_MODULE_LIBS += modules/store/file/libstore_file-builtin.la
else
pkglib_LTLIBRARIES += modules/store_file.la
modules_store_file_la_SOURCES = modules/store/file/module.c
modules_store_file_la_LDFLAGS = $(MODULE_LINK_FLAGS)
modules_store_file_la_LIBADD = modules/store/file/libstorefile.la $(MODULE_LINK_LIBS) $(PTHREAD_LIBS)
endif
endif
