"""Rosters in the shape of a SIMPEG export: a deterministic generator and the bulk import."""
