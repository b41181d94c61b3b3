# tools/: command-line clients.
