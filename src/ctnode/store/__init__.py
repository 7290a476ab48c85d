"""The store: the node's only SQL.

``contracts`` says what each area offers (entities, review, keys, audit, federation,
biometrics, messages); ``sql.SqlStore`` implements them all over SQLAlchemy Core;
``schema*`` are the tables and ``migrations`` the Alembic revisions that create them.
"""
