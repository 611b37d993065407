"""Prompt files: the texts in the repository's prompts/ folder, loaded as LangChain chat templates.

A prompt file is Markdown with a `## system` and a `## user` section; whatever comes before the
first section describes the prompt for people and is not sent. `{name}` in a section is a
placeholder; `{{` and `}}` are literal braces. Values are substituted once and never parsed, so
braces in an article or a question cannot break the formatting.
"""

from __future__ import annotations

import importlib.util
import re
from dataclasses import dataclass
from pathlib import Path

from langchain_core.prompts import ChatPromptTemplate

from assistant.errors import AkhbarError


def _prompts_dir() -> Path:
    """prompts/ beside the package in a checkout; the `akhbar_prompts` copy in a wheel install."""
    source = Path(__file__).resolve().parents[2] / "prompts"
    if source.is_dir():
        return source
    spec = importlib.util.find_spec("akhbar_prompts")
    locations = list(spec.submodule_search_locations or []) if spec else []
    return Path(locations[0]) if locations else source


PROMPTS_DIR = _prompts_dir()
SECTIONS = ("system", "user")
_HEADING = re.compile(r"^##[ \t]+(\w+)[ \t]*$", re.MULTILINE)


class PromptFileError(AkhbarError):
    """A prompt file is missing or malformed."""


@dataclass(frozen=True)
class Prompt:
    name: str
    system: str
    user: str

    def template(self) -> ChatPromptTemplate:
        return ChatPromptTemplate.from_messages([("system", self.system), ("human", self.user)])


def load_prompt(name: str, folder: Path = PROMPTS_DIR) -> Prompt:
    path = folder / f"{name}.md"
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise PromptFileError(
            f"prompt file {path} is missing; restore it from the repository "
            f"(prompts/{name}.md) or reinstall akhbar"
        ) from None
    return Prompt(name, **parse_sections(text, path))


def parse_sections(text: str, path: Path) -> dict[str, str]:
    headings = list(_HEADING.finditer(text))
    sections: dict[str, str] = {}
    for i, heading in enumerate(headings):
        end = headings[i + 1].start() if i + 1 < len(headings) else len(text)
        name = heading.group(1).lower()
        if name not in SECTIONS:
            line = text.count("\n", 0, heading.start()) + 1
            raise PromptFileError(
                f"{path}, line {line}: unknown section '## {heading.group(1)}'; "
                f"a prompt file has only {' and '.join(f'## {s}' for s in SECTIONS)}"
            )
        sections[name] = text[heading.end() : end].strip()
    missing = [s for s in SECTIONS if not sections.get(s)]
    if missing:
        raise PromptFileError(
            f"{path} has no '## {missing[0]}' section (or it is empty); "
            f"a prompt file needs {' and '.join(f'## {s}' for s in SECTIONS)}"
        )
    return sections
