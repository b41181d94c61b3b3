/* Replays a fuzz corpus without libFuzzer: feeds every file of each
 * directory given on the command line (default: the target's corpus,
 * $X400MS_TOP_SRCDIR/tests/fuzz/corpus/FUZZ_CORPUS) to
 * LLVMFuzzerTestOneInput. Link it with one fuzz_*.c and compile with
 * -DFUZZ_CORPUS='"name"'. Exit 0 when every input ran (a crash aborts). */
#include "config.h"

#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/fuzz/fuzz_common.h"

#ifndef FUZZ_CORPUS
#error "define FUZZ_CORPUS"
#endif

static int replay_dir(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *de;
    int count = 0;
    if (!d) {
        fprintf(stderr, "replay: cannot open %s\n", dir);
        return -1;
    }
    while ((de = readdir(d)) != NULL) {
        char path[4096];
        if (de->d_name[0] == '.')
            continue;
        snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
        FILE *f = fopen(path, "rb");
        if (!f)
            continue;
        uint8_t *buf = malloc(1 << 20);
        size_t n = buf ? fread(buf, 1, 1 << 20, f) : 0;
        fclose(f);
        if (!buf)
            return -1;
        /* an exact-size copy so that ASan catches reads past the end */
        uint8_t *exact = malloc(n ? n : 1);
        memcpy(exact, buf, n);
        free(buf);
        LLVMFuzzerTestOneInput(exact, n);
        free(exact);
        count++;
    }
    closedir(d);
    printf("replay %s: %d inputs\n", dir, count);
    return count;
}

int main(int argc, char **argv)
{
    if (argc > 1) {
        for (int i = 1; i < argc; i++)
            if (replay_dir(argv[i]) < 0)
                return 1;
        return 0;
    }
    const char *top = getenv("X400MS_TOP_SRCDIR");
    char dir[4096];
    snprintf(dir, sizeof(dir), "%s/tests/fuzz/corpus/%s", top ? top : ".", FUZZ_CORPUS);
    return replay_dir(dir) > 0 ? 0 : 1;
}
