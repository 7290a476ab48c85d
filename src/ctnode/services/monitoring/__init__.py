"""Monitoring: subjects under watch, re-screened when a list changes (issue 15)."""
