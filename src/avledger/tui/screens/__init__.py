"""The TUI's screens, one module per feature."""
