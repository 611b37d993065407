"""Settings, built once at the edge (CLI, UI) from flags, environment and an optional TOML file."""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any, Literal

from assistant.errors import ConfigError
from assistant.scoring import Scoring

LlmProvider = Literal["openai", "ollama"]

ENV = {
    "store": "AKHBAR_STORE",
    "chroma_server": "AKHBAR_CHROMA_SERVER",
    "model": "AKHBAR_MODEL",
    "llm_provider": "AKHBAR_LLM_PROVIDER",
    "llm_base_url": "AKHBAR_LLM_BASE_URL",
    "llm_model": "AKHBAR_LLM_MODEL",
    "llm_api_key": "AKHBAR_LLM_API_KEY",
    "dictionary": "AKHBAR_DICTIONARY",
}


def default_store(environ: Mapping[str, str]) -> Path:
    base = environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "akhbar" / "store"


@dataclass(frozen=True)
class Settings:
    store: Path
    chroma_server: str | None = None  # HOST:PORT of a `chroma run` server
    model: str | None = None  # None: the store's own model (the bundled one for a new store)
    k: int = 5
    refusal_quantile: float = 0.5  # share of off-topic probe questions to refuse (README)
    llm_provider: LlmProvider | None = None  # None: extractive answers, no LLM
    llm_base_url: str | None = None
    llm_model: str | None = None
    llm_api_key: str | None = None
    llm_timeout: float = 120.0
    # the English-Arabic dictionary's dictd files, without .index/.dict.dz (None: Debian's
    # FreeDict eng-ara under /usr/share/dictd); optional: without it the leg is empty
    dictionary: Path | None = None
    # every weight, threshold and candidate count of retrieval, answers and refusals
    # (assistant.scoring); set in code (`replace(settings, scoring=...)`), not from files
    scoring: Scoring = field(default_factory=Scoring)

    @property
    def answer_mode(self) -> str:
        if self.llm_provider is None:
            return "extractive (no LLM)"
        return f"LLM {self.llm_model or '?'} via {self.llm_provider} at {self.llm_base_url or '?'}"


def load_settings(
    overrides: Mapping[str, Any], environ: Mapping[str, str] | None = None,
    config_file: Path | None = None,
) -> Settings:
    """Flags beat environment, which beats the TOML file, which beats defaults."""
    environ = os.environ if environ is None else environ
    values: dict[str, Any] = {}
    path = config_file or (Path(environ["AKHBAR_CONFIG"]) if "AKHBAR_CONFIG" in environ else None)
    if path is not None:
        values.update(_read_toml(path))
    for name, var in ENV.items():
        if environ.get(var):
            values[name] = environ[var]
    values.update({k: v for k, v in overrides.items() if v is not None})
    known = {f.name for f in fields(Settings)} - {"scoring"}
    unknown = sorted(set(values) - known)
    if unknown:
        raise ConfigError(f"unknown setting(s) in {path or 'configuration'}: "
                          f"{', '.join(unknown)}", where=str(path or "configuration"),
                          setting=unknown[0])
    if values.get("llm_base_url") and not values.get("llm_provider"):
        values["llm_provider"] = "openai"
    if values.get("llm_provider") not in (None, "openai", "ollama"):
        raise ConfigError(
            f"llm provider must be 'openai' or 'ollama', not {values['llm_provider']!r}",
            setting="llm_provider",
        )
    if values.get("dictionary") is not None:
        values["dictionary"] = Path(values["dictionary"])
    settings = Settings(store=Path(values.pop("store", default_store(environ))))
    return replace(settings, **values)


# What each setting may be in the TOML file (a str for the store: a path).
TOML_TYPES: dict[str, tuple[type, ...]] = {
    "store": (str,), "chroma_server": (str,), "model": (str,), "k": (int,),
    "refusal_quantile": (float, int), "llm_provider": (str,), "llm_base_url": (str,),
    "llm_model": (str,), "llm_api_key": (str,), "llm_timeout": (float, int),
    "dictionary": (str,),
}
_TYPE_NAMES = {str: "a string", int: "an integer", float: "a number"}


def _read_toml(path: Path) -> dict[str, Any]:
    """The [akhbar] table of a TOML file, each value checked to be of its setting's type."""
    try:
        with open(path, "rb") as handle:
            document = tomllib.load(handle)
    except OSError as err:
        raise ConfigError(f"cannot read the config file {path}: {err.strerror or err}",
                          where=str(path)) from None
    except tomllib.TOMLDecodeError as err:
        raise ConfigError(f"{path}: not valid TOML: {err}", where=str(path)) from None
    table = document.get("akhbar", {})
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: 'akhbar' must be a table ([akhbar]), not "
                          f"{_type_name(table)}", where=str(path))
    for name, value in table.items():
        allowed = TOML_TYPES.get(name)
        if allowed is None:
            continue  # reported with the other unknown settings
        if isinstance(value, bool) or not isinstance(value, allowed):
            raise ConfigError(f"{path}: setting {name!r} must be {_TYPE_NAMES[allowed[0]]}, "
                              f"not {_type_name(value)} ({_short_repr(value)})",
                              where=str(path), setting=name)
    return dict(table)


def _short_repr(value: object, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[:limit] + "…"


def _type_name(value: object) -> str:
    names = {bool: "a boolean", str: "a string", int: "an integer", float: "a number",
             list: "a list", dict: "a table"}
    return names.get(type(value), type(value).__name__)
