# X400MS_MODULE([name], [default], [description])
# In the spirit of collectd's AC_PLUGIN: gives --enable-NAME=no|yes|static,
# AM_CONDITIONAL BUILD_MODULE_NAME (built at all) and MODULE_NAME_STATIC
# (linked into x400msd instead of built as a loadable .la module).
# Static modules are listed in X400MS_STATIC_MODULES; core/builtin-modules.c
# is generated from that list by the Makefile.
AC_DEFUN([X400MS_MODULE], [
  m4_pushdef([X4_VAR], m4_translit([$1], [-], [_]))
  m4_pushdef([X4_UP], m4_toupper(X4_VAR))
  AC_ARG_ENABLE([$1],
    [AS_HELP_STRING([--enable-$1=no|yes|static], [$3 (default: $2)])],
    [], [enable_[]X4_VAR=$2])
  AS_CASE(["$enable_[]X4_VAR"],
    [no], [],
    [yes], [X400MS_SHARED_MODULES="$X400MS_SHARED_MODULES $1"],
    [static], [X400MS_STATIC_MODULES="$X400MS_STATIC_MODULES $1"],
    [AC_MSG_ERROR([--enable-$1 takes no, yes or static, not '$enable_[]X4_VAR'])])
  AM_CONDITIONAL([BUILD_MODULE_]X4_UP, [test "x$enable_[]X4_VAR" != xno])
  AM_CONDITIONAL([MODULE_]X4_UP[_STATIC], [test "x$enable_[]X4_VAR" = xstatic])
  m4_popdef([X4_UP])
  m4_popdef([X4_VAR])
])

AC_DEFUN([X400MS_MODULE_FINISH], [
  AC_SUBST([X400MS_SHARED_MODULES])
  AC_SUBST([X400MS_STATIC_MODULES])
])

# AX_PTHREAD_SIMPLE: glibc needs only -pthread.
AC_DEFUN([AX_PTHREAD_SIMPLE], [
  PTHREAD_CFLAGS=-pthread
  PTHREAD_LIBS=-pthread
  AC_SUBST([PTHREAD_CFLAGS])
  AC_SUBST([PTHREAD_LIBS])
])
