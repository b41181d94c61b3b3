/* x400msd's identity: who it runs as, and dropping root after binding.
 *
 * Started as root with "user" (and optionally "group") in the manifest,
 * x400msd binds its ports as root but touches every file as that user
 * (Linux filesystem ids plus the user's supplementary groups), then drops
 * root for good once every module has started, before it serves anything.
 * As root without "user" it refuses to start unless told (--allow-root,
 * X400MS_ALLOW_ROOT=1 or "allow_root": true in the manifest). */
#ifndef X400MS_CORE_PRIVILEGES_H
#define X400MS_CORE_PRIVILEGES_H

#include <stdbool.h>
#include <sys/types.h>
#include "x400ms/error.h"

struct privileges {
    bool switching;      /* running as root with a user to switch to */
    bool group_only;     /* root kept (allowed), only the group changes */
    uid_t uid;           /* target ids (the current ones when not switching) */
    gid_t gid;
    const char *user;    /* manifest "user", NULL when absent */
    const char *group;   /* manifest "group", NULL when absent */
};

/* Decides the target identity from the manifest's user/group, allow_root
 * (--allow-root or X400MS_ALLOW_ROOT) and manifest_allows_root (the
 * manifest's "allow_root" key, the same as a standing --allow-root), and
 * refuses what must not run: root without a user (unless allowed), or a
 * non-root process asked to become another user. */
int privileges_plan(struct privileges *p, const char *user, const char *group, bool allow_root,
                    bool manifest_allows_root, struct x400ms_error *err);

/* The data directory must belong to the user x400msd will run as: one it
 * has just created (created=true) is given to the user; an existing one
 * owned by someone else is refused with the chown command to run. */
int privileges_data_dir(const struct privileges *p, const char *dir, bool created,
                        struct x400ms_error *err);

/* From now on files are opened and created as the target user (setfsuid,
 * setfsgid, the user's supplementary groups) while the effective uid stays
 * root for binding privileged ports. Threads created later inherit it. */
int privileges_files_as_user(const struct privileges *p, struct x400ms_error *err);

/* Switches file access of the calling thread back to root (pid file in a
 * root-owned directory) or to the user again. No-op when not switching. */
void privileges_files_as_root(const struct privileges *p, bool as_root);

/* Drops root in every thread (setgroups, setresgid, setresuid) and checks
 * that it cannot be regained. Logs the identity it runs as. */
int privileges_drop(const struct privileges *p, struct x400ms_error *err);

#endif
