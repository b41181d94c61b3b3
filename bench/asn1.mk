# bench/asn1: MHS codec benchmark. Build with
# `make bench`, run `bench/asn1_bench [seconds-per-case]`: prints ns per PDU,
# MB/s and the heap allocations seen during decode (must be 0).
EXTRA_PROGRAMS += bench/asn1_bench
BENCH_TARGETS += bench/asn1_bench
bench_asn1_bench_SOURCES = bench/asn1_bench.c
bench_asn1_bench_CFLAGS = $(AM_CFLAGS) -O2
bench_asn1_bench_LDADD = libx400ms.la
