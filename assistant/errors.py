"""Domain errors of the assistant side. Only the CLI and the UI turn them into user text."""

from __future__ import annotations

from pathlib import Path


class AkhbarError(Exception):
    """Base of every error the assistant side raises on purpose."""


class EmptyStoreError(AkhbarError):
    """The store at `path` holds no articles yet."""

    def __init__(self, path: Path) -> None:
        super().__init__(f"the store at {path} is empty")
        self.path = path


class ArticleNotFoundError(AkhbarError):
    """No article in the store at `store` has the id `article_id`."""

    def __init__(self, article_id: str, store: Path) -> None:
        super().__init__(f"no article with id {article_id!r} in {store}")
        self.article_id, self.store = article_id, store


class LlmError(AkhbarError):
    """The configured LLM server failed or could not be reached."""


class QuestionTooLongError(AkhbarError):
    """A question is over the length cap."""


class EmptyQuestionError(AkhbarError):
    """A question with no words in it."""


class FilterError(AkhbarError):
    """A filter the archive cannot apply. `field` is "since", "until" or "outlets"; `value` what
    was given; `problem` one of "not a date", "after until", "unknown outlet"; `known` the
    archive's outlets for the last. The CLI and the UI word it with their own labels."""

    def __init__(self, field: str, value: str, problem: str, *, other: str | None = None,
                 known: tuple[str, ...] = ()) -> None:
        self.field, self.value, self.problem, self.other, self.known = (
            field, value, problem, other, known)
        super().__init__(describe_filter(self, {}))


def describe_filter(err: FilterError, labels: dict[str, str]) -> str:
    """The error in words, each field named by `labels` (e.g. {"since": "--since"})."""
    label = labels.get(err.field, err.field)
    if err.problem == "not a date":
        return f"{label} expects a date as YYYY-MM-DD, got {err.value!r}"
    if err.problem == "after until":
        return (f"{label} {err.value} is after {labels.get('until', 'until')} {err.other}: "
                "no day is in between")
    return f"unknown outlet {err.value!r}; the archive has: {', '.join(sorted(err.known))}"


class ConfigError(AkhbarError):
    """A setting that cannot be used: `where` is the file (or "configuration"), `setting` the
    name when one is at fault."""

    def __init__(self, message: str, *, where: str = "configuration",
                 setting: str | None = None) -> None:
        super().__init__(message)
        self.where, self.setting = where, setting
