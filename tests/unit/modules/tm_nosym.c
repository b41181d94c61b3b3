/* Loader test module: a shared object without the x400ms_module_entry symbol. */
int tm_nosym_something(void);
int tm_nosym_something(void) { return 42; }
