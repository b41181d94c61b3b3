/* The per-mailbox forwarded set: loop detection for auto-forwarding ("a
 * message already forwarded by this mailbox is not forwarded again").
 * One 16-hex-digit key per line in DATA/forward/<mailbox>.set, appended and
 * fsynced before the forward is submitted. */
#define X400MS_LOG_MODULE "forward"
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "modules/action/forward/forward.h"

bool fwd_set_contains(struct fwd_state *st, const char *mailbox, uint64_t key)
{
    char path[4200], line[64], want[20];
    snprintf(path, sizeof path, "%s/%s.set", st->dir, mailbox);
    snprintf(want, sizeof want, "%016" PRIx64, key);
    pthread_mutex_lock(&st->lock);
    FILE *f = fopen(path, "re");
    bool found = false;
    while (f != NULL && !found && fgets(line, sizeof line, f) != NULL)
        found = strncmp(line, want, 16) == 0;
    if (f != NULL)
        fclose(f);
    pthread_mutex_unlock(&st->lock);
    return found;
}

int fwd_set_add(struct fwd_state *st, const char *mailbox, uint64_t key, struct x400ms_error *err)
{
    char path[4200], line[24];
    snprintf(path, sizeof path, "%s/%s.set", st->dir, mailbox);
    int n = snprintf(line, sizeof line, "%016" PRIx64 "\n", key);
    pthread_mutex_lock(&st->lock);
    int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    int rc = 0;
    if (fd < 0 || write(fd, line, (size_t)n) != n || fsync(fd) < 0)
        rc = x400ms_error_set(err, X400MS_EIO, "cannot write %s: %s", path, strerror(errno));
    if (fd >= 0)
        close(fd);
    pthread_mutex_unlock(&st->lock);
    return rc;
}
