"""Entry points: the HTTP API and the `mutasi` command line translate requests into use cases."""
