"""Settings refuse insecure values outside development mode."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from ctnode.settings import Settings


def test_defaults_bind_to_loopback() -> None:
    s = Settings(_env_file=None)  # type: ignore[call-arg]
    assert s.host == "127.0.0.1" and s.mode == "production"
    assert s.store_url.startswith("sqlite:///")


@pytest.mark.parametrize(
    "kwargs",
    [
        {"host": "0.0.0.0"},
        {"cors_origins": ["*"]},
        {"bootstrap_admin_key": "short"},
        {"report_threshold": 0.9, "match_threshold": 0.8},
    ],
)
def test_insecure_settings_are_refused(kwargs: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        Settings(_env_file=None, **kwargs)  # type: ignore[arg-type]


def test_development_mode_allows_a_public_bind() -> None:
    assert Settings(_env_file=None, host="0.0.0.0", mode="development").host == "0.0.0.0"  # type: ignore[call-arg]
    assert Settings(_env_file=None, host="0.0.0.0", behind_tls_proxy=True).host == "0.0.0.0"  # type: ignore[call-arg]


def test_every_setting_is_documented() -> None:
    doc = (Path(__file__).resolve().parents[1] / "docs" / "configuration.md").read_text()
    for name in Settings.model_fields:
        assert f"CTNODE_{name.upper()}" in doc, (
            f"CTNODE_{name.upper()} missing from docs/configuration.md"
        )


def test_renamed_settings_are_read_by_their_old_names(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CTNODE_TRAVEL_RAW_MASK_HOURS", "5")
    monkeypatch.setenv("CTNODE_TRAVEL_STORE_RAW", "false")
    s = Settings(_env_file=None)  # type: ignore[call-arg]
    assert s.messages_raw_mask_hours == 5 and s.messages_store_raw is False
    monkeypatch.setenv("CTNODE_MESSAGES_RAW_MASK_HOURS", "7")  # the new name wins
    assert Settings(_env_file=None).messages_raw_mask_hours == 7  # type: ignore[call-arg]
    assert Settings(_env_file=None, messages_raw_delete_days=3).messages_raw_delete_days == 3  # type: ignore[call-arg]
