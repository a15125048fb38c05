"""The REST API: FastAPI routes that translate HTTP into calls of `MutasiApplication`."""
