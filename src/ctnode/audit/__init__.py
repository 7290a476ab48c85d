"""The append-only, hash-chained audit log."""

from ctnode.audit.log import AuditEntry, AuditLog, ChainBroken

__all__ = ["AuditEntry", "AuditLog", "ChainBroken"]
