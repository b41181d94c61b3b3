/* tools/mta/main.c: x400ms-mta COMMAND ... */
#include <stdio.h>
#include <string.h>

#include "tools/mta/mta.h"

static void usage(FILE *f)
{
    fprintf(f,
            "usage: x400ms-mta deliver -H HOST:PORT --mta-name NAME --password PW --to ORADDR\n"
            "                  [--count N] [--size BYTES] [--priority urgent|normal|non-urgent]\n"
            "                  [--connections C] [--window W] [--content-file F] [--from ORADDR]\n"
            "                  [--subject TEXT] [--reliable] [--context 88|94] [--latency]\n"
            "                  [--ack-log FILE]\n"
            "  Binds to an MS as an MTA (mts-forced-access, X.411) and delivers messages;\n"
            "  the last line is: delivered=N acknowledged=N failed=N seconds=S rate=R\n"
            "       x400ms-mta serve --listen HOST:PORT --mta-name NAME --password PW\n"
            "                  [--out FILE] [--name OURNAME]\n"
            "                  [--refuse bind|submission[=X.411-ERROR-CODE]] [--report-after-submit]\n"
            "                  [--reliable]\n"
            "  Acts as an upstream MTA (mts-access, X.411): takes submissions from the MTA\n"
            "  named NAME and writes each as one JSON line to stdout or FILE.\n"
            "       x400ms-mta ua -H HOST:PORT --bind ORADDR --password PW [--to ORADDR]...\n"
            "                  [--submit N] [--receive N] [--wait S] [--subject T] [--size B]\n"
            "                  [--report] [--refuse] [--max-content-length N] [--context 88|94]\n"
            "                  [--reliable] [--from ORADDR] [--probe]\n"
            "                  [--new-password PW [--old-password PW]]\n"
            "  A user agent without a message store (mts-access, X.411): binds as ORADDR,\n"
            "  submits N messages to the --to recipients, prints each delivery the MS\n"
            "  pushes, stays bound until --receive N arrived (or --wait S seconds).\n");
}

int main(int argc, char **argv)
{
    if (argc >= 2 && strcmp(argv[1], "deliver") == 0)
        return mta_deliver_main(argc - 1, argv + 1);
    if (argc >= 2 && strcmp(argv[1], "serve") == 0)
        return mta_serve_main(argc - 1, argv + 1);
    if (argc >= 2 && strcmp(argv[1], "ua") == 0)
        return mta_ua_main(argc - 1, argv + 1);
    if (argc >= 2 && (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0)) {
        usage(stdout);
        return 0;
    }
    usage(stderr);
    return 2;
}
