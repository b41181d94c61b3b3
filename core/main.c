/* x400msd: placeholder until core/ lands. */
#include <stdio.h>
int main(void) { puts("x400msd"); return 0; }
