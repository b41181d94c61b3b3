/* The x400ms CLI's commands (tools/cli): shared between its files. */
#ifndef X400MS_CLI_H
#define X400MS_CLI_H

#include <stdbool.h>
#include "x400ms/client.h"

enum { EXIT_OK = 0, EXIT_USAGE = 1, EXIT_BIND = 2, EXIT_UNAVAILABLE = 3, EXIT_MS_ERROR = 4 };

/* Prints err and returns EXIT_MS_ERROR (x400ms.c). */
int cli_ms_error(struct x400ms_client *c, const struct x400ms_error *err);
/* Prints s as a JSON string (x400ms.c). */
void cli_json_str(const char *s);

/* send --to ORADDR... [--cc ORADDR...] --subject S (--body TEXT | --body-file F)
 * [--priority urgent|normal|non-urgent] [--receipt] (send.c) */
int cmd_send(struct x400ms_client *c, const char *originator, int argc, char **argv, bool json);
/* Checks send's arguments before connecting: EXIT_OK or EXIT_USAGE. */
int cmd_send_check(int argc, char **argv);
/* watch [--count N] [--timeout SECONDS] (watch.c) */
int cmd_watch(struct x400ms_client *c, int argc, char **argv, bool json);
int cmd_watch_check(int argc, char **argv);

#endif
