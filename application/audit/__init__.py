"""Audit: hash-chained events, signed checkpoints, replay from the event store, offline bundles.

`chain`, `merkle`, `signing`, `records`, `checks`, `placements` and `bundle` use no database (an
auditor's machine needs only them and the public key); `storage`, `checkpoints`, `verify`, `replay`
and `export` read the event store. `tlog` is the log-wide RFC 9162 tree over every event, its signed
tree heads (C2SP checkpoints), witnesses' cosignatures and decree receipts (`receipts` checks one
offline).
"""
