# core/osi: session, presentation, ACSE and ROSE engines (part of libx400ms).
libx400ms_la_SOURCES += \
	core/osi/osi.h \
	core/osi/rose_table.c core/osi/rose_table.h \
	core/osi/session.c core/osi/pres.c core/osi/acse.c core/osi/rose.c \
	core/osi/assoc.c core/osi/rts.c core/osi/tuser.c \
	core/osi/metrics.c
x400msinclude_HEADERS += include/x400ms/assoc.h
