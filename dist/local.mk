# dist/ and man/: service files, the installed manifest and man pages.
#
# Installed layout (docs/operations.md):
#   $(sbindir)/x400msd, $(bindir)/x400ms{,-mta,-admin}, $(pkglibdir)/*.so (modules),
#   $(includedir)/x400ms/*.h, $(libdir)/pkgconfig/x400ms.pc, $(mandir)/man{1,5,8},
#   $(sysconfdir)/x400ms.json          the default manifest, the path x400msd reads
#                                      without -c (core/main.c); installed only when
#                                      absent, with data_dir $(localstatedir)/lib/x400ms
#   $(systemdsystemunitdir)/x400msd.service, $(tmpfilesdir)/x400ms.conf,
#   $(sysusersdir)/x400ms.conf, $(docdir)/x400ms.logrotate
# The systemd directories default under $(prefix)/lib so that an unprivileged
# "make install" and "make distcheck" work; packagers set them, e.g.
#   make install systemdsystemunitdir=/lib/systemd/system tmpfilesdir=/usr/lib/tmpfiles.d

systemdsystemunitdir = $(prefix)/lib/systemd/system
tmpfilesdir = $(prefix)/lib/tmpfiles.d
sysusersdir = $(prefix)/lib/sysusers.d
x400msdatadir = $(localstatedir)/lib/x400ms

# Man pages: man/NAME.in with the configured paths filled in.
man_MANS = man/x400msd.8 man/x400ms.1 man/x400ms-mta.1 man/x400ms-admin.1 man/x400ms.json.5
EXTRA_DIST += man/x400msd.8.in man/x400ms.1.in man/x400ms-mta.1.in man/x400ms-admin.1.in \
	man/x400ms.json.5.in
CLEANFILES += $(man_MANS)
X400MS_SUBST = sed \
	  -e 's|@sbindir[@]|$(sbindir)|g' \
	  -e 's|@sysconfdir[@]|$(sysconfdir)|g' \
	  -e 's|@localstatedir[@]|$(localstatedir)|g' \
	  -e 's|@pkglibdir[@]|$(pkglibdir)|g'
$(man_MANS): Makefile
	$(AM_V_GEN)$(MKDIR_P) man && $(X400MS_SUBST) $(srcdir)/$@.in > $@.tmp && mv $@.tmp $@
man/x400msd.8: $(srcdir)/man/x400msd.8.in
man/x400ms.1: $(srcdir)/man/x400ms.1.in
man/x400ms-mta.1: $(srcdir)/man/x400ms-mta.1.in
man/x400ms-admin.1: $(srcdir)/man/x400ms-admin.1.in
man/x400ms.json.5: $(srcdir)/man/x400ms.json.5.in

EXTRA_DIST += dist/x400msd.service.in dist/x400ms.tmpfiles dist/x400ms.sysusers dist/lsan.supp
dist_doc_DATA = dist/x400ms.logrotate docs/security.md docs/operations.md

nodist_systemdsystemunit_DATA = dist/x400msd.service
CLEANFILES += dist/x400msd.service dist/x400ms.json

dist/x400msd.service: $(srcdir)/dist/x400msd.service.in Makefile
	$(AM_V_GEN)$(MKDIR_P) dist && $(X400MS_SUBST) $(srcdir)/dist/x400msd.service.in > $@.tmp && \
	  mv $@.tmp $@

# The installed manifest: etc/x400ms.json with an absolute data_dir (the
# shipped one says "var", relative to the manifest's directory, which suits
# a build tree but would put mailboxes under $(sysconfdir)).
dist/x400ms.json: $(srcdir)/etc/x400ms.json Makefile
	$(AM_V_GEN)$(MKDIR_P) dist && sed \
	  -e 's|"data_dir": *"var"|"data_dir": "$(x400msdatadir)"|' \
	  $(srcdir)/etc/x400ms.json > $@.tmp && \
	  grep -q '"data_dir": "$(x400msdatadir)"' $@.tmp && mv $@.tmp $@

all-local: dist/x400ms.json $(man_MANS)

install-data-local: dist/x400ms.json
	$(MKDIR_P) '$(DESTDIR)$(tmpfilesdir)' '$(DESTDIR)$(sysusersdir)' '$(DESTDIR)$(sysconfdir)'
	$(INSTALL_DATA) $(srcdir)/dist/x400ms.tmpfiles '$(DESTDIR)$(tmpfilesdir)/x400ms.conf'
	$(INSTALL_DATA) $(srcdir)/dist/x400ms.sysusers '$(DESTDIR)$(sysusersdir)/x400ms.conf'
	@if test -f '$(DESTDIR)$(sysconfdir)/x400ms.json'; then \
	  echo "keeping $(DESTDIR)$(sysconfdir)/x400ms.json; the shipped one is $(DESTDIR)$(sysconfdir)/x400ms.json.dist"; \
	  $(INSTALL_DATA) dist/x400ms.json '$(DESTDIR)$(sysconfdir)/x400ms.json.dist'; \
	else \
	  echo " $(INSTALL_DATA) dist/x400ms.json '$(DESTDIR)$(sysconfdir)/x400ms.json'"; \
	  $(INSTALL_DATA) dist/x400ms.json '$(DESTDIR)$(sysconfdir)/x400ms.json'; \
	fi

# Removes the manifest only when it is still the shipped one.
uninstall-local:
	rm -f '$(DESTDIR)$(tmpfilesdir)/x400ms.conf' '$(DESTDIR)$(sysusersdir)/x400ms.conf' \
	  '$(DESTDIR)$(sysconfdir)/x400ms.json.dist'
	@if test -f '$(DESTDIR)$(sysconfdir)/x400ms.json' && \
	    cmp -s dist/x400ms.json '$(DESTDIR)$(sysconfdir)/x400ms.json'; then \
	  echo " rm -f '$(DESTDIR)$(sysconfdir)/x400ms.json'"; \
	  rm -f '$(DESTDIR)$(sysconfdir)/x400ms.json'; \
	fi
