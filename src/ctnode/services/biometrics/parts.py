"""The biometric services of one node, built together (they share the engines and key)."""

from __future__ import annotations

from dataclasses import dataclass

from ctnode.services.biometrics.engines import BiometricEngines
from ctnode.services.biometrics.enrolment import Enrolment
from ctnode.services.biometrics.exchange import Exchange
from ctnode.services.biometrics.search import Search
from ctnode.services.context import Context
from ctnode.services.datakey import LazyKey


@dataclass(frozen=True, slots=True)
class Biometrics:
    """``enrolment``, ``search`` and ``exchange`` over one set of ``engines``."""

    engines: BiometricEngines
    enrolment: Enrolment
    search: Search
    exchange: Exchange

    @classmethod
    def build(cls, ctx: Context) -> Biometrics:
        """The node's biometric services (models are loaded on first use)."""
        engines = BiometricEngines(ctx.settings)
        key = LazyKey(ctx.settings.key_dir)
        search = Search(ctx, engines, key)
        enrolment = Enrolment(ctx, engines, key, search.faces)
        return cls(engines, enrolment, search, Exchange(ctx, engines, search))
