"""Batches: files of many subjects screened at once.

``subjects`` (each subject of a file screened once, in order), ``manifest`` (PAXLST,
PNRGOV, MRZ), ``payments`` (ISO 20022, MT103, listed wallets), ``retention`` (how long a
screened file is kept, raw and masked) and ``reports`` (a screened file as JSON lines
and CSV, the shape API clients depend on).
"""
