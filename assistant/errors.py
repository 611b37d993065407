"""Domain errors of the assistant side. Only the CLI and the UI turn them into user text."""

from __future__ import annotations


class AkhbarError(Exception):
    """Base of every error the assistant side raises on purpose."""


class EmptyStoreError(AkhbarError):
    """The store holds no articles yet."""


class ArticleNotFoundError(AkhbarError):
    """No article has the id asked for."""


class LlmError(AkhbarError):
    """The configured LLM server failed or could not be reached."""


class QuestionTooLongError(AkhbarError):
    """A question is over the length cap."""
