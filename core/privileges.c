/* x400msd's identity: the root refusal, data dir ownership, file access as
 * the target user and the final drop of root (core/privileges.h). */
#define _GNU_SOURCE
#include "config.h"
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <string.h>
#include <sys/fsuid.h>
#include <sys/stat.h>
#include <unistd.h>
#include "core/privileges.h"
#include "x400ms/log.h"

int privileges_plan(struct privileges *p, const char *user, const char *group, bool allow_root,
                    bool manifest_allows_root, struct x400ms_error *err)
{
    /* The manifest's key is a standing --allow-root: say where it came from. */
    bool by_manifest = !allow_root && manifest_allows_root;
    allow_root = allow_root || by_manifest;
    *p = (struct privileges){ .uid = geteuid(), .gid = getegid(), .user = user, .group = group };
    const struct passwd *pw = NULL;
    const struct group *gr = NULL;

    /* The manifest check already looked the names up; they may have gone
     * since (a user deleted between -t and start). */
    if (user && !(pw = getpwnam(user)))
        return x400ms_error_set(err, X400MS_EINVAL, "user \"%s\": no such user", user);
    if (group && !(gr = getgrnam(group)))
        return x400ms_error_set(err, X400MS_EINVAL, "group \"%s\": no such group", group);

    if (geteuid() != 0) {
        /* Nothing to switch; a user/group that is not ours is a mistake
         * (systemd's User= and the manifest disagree), not something to
         * ignore quietly. */
        if (pw && pw->pw_uid != geteuid())
            return x400ms_error_set(err, X400MS_EINVAL,
                                    "user \"%s\" (uid %ld): x400msd runs as uid %ld, not as root, so it "
                                    "cannot switch to it; start it as root or as that user",
                                    user, (long)pw->pw_uid, (long)geteuid());
        if (gr && gr->gr_gid != getegid())
            return x400ms_error_set(err, X400MS_EINVAL,
                                    "group \"%s\" (gid %ld): x400msd runs as gid %ld, not as root, so it "
                                    "cannot switch to it; start it as root or with that group",
                                    group, (long)gr->gr_gid, (long)getegid());
        return 0;
    }
    if (!pw) {
        if (!allow_root)
            return x400ms_error_set(err, X400MS_EPERM,
                                    "refusing to run as root: set \"user\" (and \"group\") in the manifest "
                                    "so that x400msd drops root after binding its ports, or start it with "
                                    "--allow-root (or X400MS_ALLOW_ROOT=1, or \"allow_root\": true in the "
                                    "manifest) to run as root anyway");
        if (by_manifest)
            X400MS_LOG_W("\"allow_root\": true in the manifest and no \"user\": running as root "
                         "(as --allow-root)");
        if (gr) {
            p->group_only = true;
            p->gid = gr->gr_gid;
        }
        return 0;
    }
    if (pw->pw_uid == 0 && !allow_root)
        return x400ms_error_set(err, X400MS_EPERM,
                                "user \"%s\" is uid 0: refusing to run as root (see --allow-root and "
                                "\"allow_root\")", user);
    if (pw->pw_uid == 0 && by_manifest)
        X400MS_LOG_W("user \"%s\" is uid 0 and \"allow_root\": true in the manifest: running as root", user);
    p->switching = pw->pw_uid != 0;
    p->uid = pw->pw_uid;
    p->gid = gr ? gr->gr_gid : pw->pw_gid;
    return 0;
}

int privileges_data_dir(const struct privileges *p, const char *dir, bool created,
                        struct x400ms_error *err)
{
    if (!p->switching && !p->user)
        return 0;
    if (created && p->switching) {
        if (chown(dir, p->uid, p->gid) != 0)
            return x400ms_error_set(err, X400MS_EIO, "data_dir %s: cannot give it to user %s: %s", dir,
                                    p->user, strerror(errno));
        return 0;
    }
    struct stat st;
    if (stat(dir, &st) != 0)
        return x400ms_error_set(err, X400MS_EIO, "data_dir %s: %s", dir, strerror(errno));
    if (st.st_uid != p->uid)
        return x400ms_error_set(err, X400MS_EPERM,
                                "data_dir %s is owned by uid %ld, not by user %s (uid %ld) that x400msd "
                                "runs as: chown -R %s %s", dir, (long)st.st_uid, p->user, (long)p->uid,
                                p->user, dir);
    return 0;
}

/* The target user's supplementary groups (a key readable by group ssl-cert
 * stays readable); only the group when root stays. */
static int set_groups(const struct privileges *p, struct x400ms_error *err)
{
    int rc = p->switching ? initgroups(p->user, p->gid) : setgroups(1, &p->gid);
    if (rc != 0)
        return x400ms_error_set(err, X400MS_EPERM, "cannot set the supplementary groups of %s: %s",
                                p->switching ? p->user : p->group, strerror(errno));
    return 0;
}

int privileges_files_as_user(const struct privileges *p, struct x400ms_error *err)
{
    if (!p->switching)
        return 0;
    int rc = set_groups(p, err);
    if (rc != 0)
        return rc;
    /* setfs[ug]id report no error: read the value back (-1 changes nothing). */
    setfsgid(p->gid);
    setfsuid(p->uid);
    if ((gid_t)setfsgid((gid_t)-1) != p->gid || (uid_t)setfsuid((uid_t)-1) != p->uid)
        return x400ms_error_set(err, X400MS_EPERM, "cannot access files as user %s (uid %ld, gid %ld)",
                                p->user, (long)p->uid, (long)p->gid);
    return 0;
}

void privileges_files_as_root(const struct privileges *p, bool as_root)
{
    if (!p->switching)
        return;
    setfsuid(as_root ? 0 : p->uid);
    setfsgid(as_root ? 0 : p->gid);
}

int privileges_drop(const struct privileges *p, struct x400ms_error *err)
{
    if (p->group_only) {
        /* Root stays (allowed); the group still changes as asked. */
        int rc = set_groups(p, err);
        if (rc == 0 && setresgid(p->gid, p->gid, p->gid) != 0)
            rc = x400ms_error_set(err, X400MS_EPERM, "setresgid(%ld): %s", (long)p->gid, strerror(errno));
        if (rc == 0)
            X400MS_LOG_N("running as root with group %s (gid %ld)", p->group, (long)p->gid);
        return rc;
    }
    if (!p->switching)
        return 0;
    /* Groups first: without root, setgroups/setresgid are no longer allowed.
     * glibc applies each of these to every thread of the process. */
    int rc = set_groups(p, err);
    if (rc != 0)
        return rc;
    if (setresgid(p->gid, p->gid, p->gid) != 0)
        return x400ms_error_set(err, X400MS_EPERM, "setresgid(%ld): %s", (long)p->gid, strerror(errno));
    if (setresuid(p->uid, p->uid, p->uid) != 0)
        return x400ms_error_set(err, X400MS_EPERM, "setresuid(%ld): %s", (long)p->uid, strerror(errno));
    /* Paranoia that costs nothing: if root can come back, the drop failed. */
    if (setuid(0) == 0 || seteuid(0) == 0)
        return x400ms_error_set(err, X400MS_EPERM, "dropped to uid %ld but uid 0 can be regained",
                                (long)p->uid);
    X400MS_LOG_N("dropped root: running as user %s (uid %ld), gid %ld", p->user, (long)p->uid,
                 (long)p->gid);
    return 0;
}
