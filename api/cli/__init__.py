"""The `mutasi` command line."""
