# bench/store
