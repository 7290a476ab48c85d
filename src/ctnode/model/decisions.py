"""Analyst decisions on hits: data that changes later results."""

from __future__ import annotations

from typing import Literal

Decision = Literal["confirmed", "false_positive", "unsure"]
DECISIONS: tuple[Decision, ...] = ("confirmed", "false_positive", "unsure")
