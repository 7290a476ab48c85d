"""Screening: ``query`` (the one query builder), ``index`` (the match index kept in step with
the store), ``service`` (screen, search, entity views, yente matches: the rules)."""
