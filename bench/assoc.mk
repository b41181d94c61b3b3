# bench/assoc
