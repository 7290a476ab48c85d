"""The domain model: entities and their statements, screening queries and hits, decisions.

Pure data, no I/O; imports nothing else from ctnode.
"""
