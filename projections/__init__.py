"""Projections: CQRS read models built from the event store."""
