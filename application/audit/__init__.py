"""Audit: hash-chained events, signed tree heads, replay from the event store, offline bundles.

`chain`, `merkle`, `signing`, `records`, `checks`, `placements` and `bundle` use no database (an
auditor's machine needs only them and the public key); `storage`, `checkpoints`, `verify`, `replay`
and `export` read the event store. `tlog` is the log-wide RFC 9162 tree over every event, its signed
tree heads (C2SP checkpoints: the one thing the checkpointer signs), witnesses' cosignatures and decree
receipts (`receipts` checks one offline). `merkle` and `records.Checkpoint` only verify the segment
checkpoints and format-1 bundles of earlier versions.
"""
