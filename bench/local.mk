# bench/: benchmarks (never timed tests).
