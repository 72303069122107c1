"""One module per command: options in, library calls, a renderer out."""
