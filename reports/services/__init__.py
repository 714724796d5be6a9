"""Writes for the reports: one module per area."""
