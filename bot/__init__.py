"""Process wiring: settings, the command line, and the chat adapters."""
