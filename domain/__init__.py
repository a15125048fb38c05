"""The Mutasi domain: ASN transfers (mutasi) as event-sourced aggregates and their rules.

Nothing here imports anything of ours from a layer above (application, projections, api).
"""
