"""Settings: flags beat the environment, which beats the TOML file, which beats defaults."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.config import load_settings
from assistant.errors import ConfigError
from assistant.scoring import Scoring


def _toml(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "akhbar.toml"
    path.write_text(body, encoding="utf-8")
    return path


def test_each_layer_beats_the_one_below(tmp_path: Path) -> None:
    config = _toml(tmp_path, '[akhbar]\nstore = "/from/toml"\nk = 7\nmodel = "toml-model"\n'
                             'llm_model = "toml-llm"\n')
    environ = {"AKHBAR_CONFIG": str(config), "AKHBAR_STORE": "/from/env",
               "AKHBAR_MODEL": "env-model"}
    settings = load_settings({"store": "/from/flag", "k": None}, environ=environ)
    assert settings.store == Path("/from/flag")  # flag over env over toml
    assert settings.model == "env-model"  # env over toml
    assert settings.k == 7 and settings.llm_model == "toml-llm"  # toml over defaults
    assert settings.llm_provider is None  # a model name alone turns no LLM on


def test_defaults_without_any_layer(tmp_path: Path) -> None:
    settings = load_settings({}, environ={"XDG_DATA_HOME": str(tmp_path)})
    assert settings.store == tmp_path / "akhbar" / "store"
    assert settings.model is None and settings.k == 5 and settings.llm_provider is None
    assert settings.scoring == Scoring()  # every weight at its measured default


def test_scoring_is_set_in_code_not_from_a_file(tmp_path: Path) -> None:
    config = _toml(tmp_path, '[akhbar]\nscoring = 1\n')
    with pytest.raises(ConfigError, match=r"unknown setting\(s\) in .*akhbar.toml: scoring"):
        load_settings({}, environ={}, config_file=config)


def test_a_base_url_implies_the_openai_provider(tmp_path: Path) -> None:
    config = _toml(tmp_path, '[akhbar]\nllm_base_url = "http://127.0.0.1:8080/v1"\n')
    settings = load_settings({}, environ={}, config_file=config)
    assert settings.llm_provider == "openai"
    assert settings.llm_base_url == "http://127.0.0.1:8080/v1"


def test_an_empty_environment_variable_does_not_override(tmp_path: Path) -> None:
    config = _toml(tmp_path, '[akhbar]\nstore = "/from/toml"\n')
    settings = load_settings({}, environ={"AKHBAR_STORE": ""}, config_file=config)
    assert settings.store == Path("/from/toml")


def test_unknown_keys_and_providers_are_named(tmp_path: Path) -> None:
    config = _toml(tmp_path, '[akhbar]\nstroe = "/typo"\n')
    with pytest.raises(ConfigError, match="stroe"):
        load_settings({}, environ={}, config_file=config)
    with pytest.raises(ConfigError, match="'mystery'"):
        load_settings({"llm_provider": "mystery"}, environ={})
