"""Reminders that reach people: what is due (sources), what it says (messages), how it travels
(channels). The writes are in notices.services.delivery, the reads in notices.dispatch.selectors.
"""
