"""The application layer: use cases over the event store, and the configuration that wires it."""
