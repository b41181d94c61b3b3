# examples/: third-party examples built out of tree, and their tests (owner: plugin).
