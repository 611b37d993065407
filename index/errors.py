"""Domain errors of the index side. Only the CLI and the UI turn them into user text."""

from __future__ import annotations


class AkhbarIndexError(Exception):
    """Base of every error the index side raises on purpose."""


class ArchiveNotFoundError(AkhbarIndexError):
    """A path given to the indexer does not exist."""


class UndecodableFileError(AkhbarIndexError):
    """A file's bytes decode as none of the supported encodings, or a later line does not.

    `reason` is the message without the file and line, which `line` (1-based) gives when known.
    """

    def __init__(self, message: str, *, line: int | None = None, reason: str = "") -> None:
        super().__init__(message)
        self.line = line
        self.reason = reason or message


class UnknownEncodingError(AkhbarIndexError):
    """An encoding named by the user is not one Python knows."""


class EmbedderError(AkhbarIndexError):
    """The embedding model cannot be loaded or used."""


class InputTooLongError(EmbedderError):
    """A text is longer than the embedder reads: it would be silently truncated."""


class StoreLockedError(AkhbarIndexError):
    """Another process is writing to the store."""


class ModelMismatchError(AkhbarIndexError):
    """The store was built with another embedding model or settings."""


class StoreError(AkhbarIndexError):
    """The store cannot be opened or is damaged."""


class FieldMapError(AkhbarIndexError):
    """A field override names no article field (`--field NAME=COLUMN`)."""
