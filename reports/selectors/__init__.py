"""Reads for the reports: each builder returns a plain, typed structure for page, PDF, tests."""
