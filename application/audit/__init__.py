"""Audit: hash-chained events, signed checkpoints, replay from the event store, offline bundles.

`chain`, `merkle`, `signing`, `records`, `checks`, `placements` and `bundle` use no database (an
auditor's machine needs only them and the public key); `storage`, `checkpoints`, `verify`, `replay`
and `export` read the event store.
"""
