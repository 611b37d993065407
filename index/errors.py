"""Domain errors of the index side. Only the CLI and the UI turn them into user text."""

from __future__ import annotations

from pathlib import Path


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


class StoreError(AkhbarIndexError):
    """The store cannot be opened or is damaged."""


class StoreLockedError(AkhbarIndexError):
    """Another process (`owner`, as its lock file names it) is writing to the store `path`."""

    def __init__(self, path: Path, owner: str) -> None:
        super().__init__(f"store is locked: {path} is being written by {owner}")
        self.path, self.owner = path, owner


class ModelMismatchError(AkhbarIndexError):
    """The store `path` was built with another embedding model: `built` and `wanted` are
    described as "name (dim-d)"; `built_flag` is what loads the store's model again."""

    def __init__(self, path: Path, built: str, wanted: str, *, built_flag: str) -> None:
        super().__init__(f"the store at {path} was built with {built}, not {wanted}")
        self.path, self.built, self.wanted, self.built_flag = path, built, wanted, built_flag


class ChunkingMismatchError(ModelMismatchError):
    """The store `path` was chunked with other settings (`built`, `wanted`: their
    descriptions, index.chunk.ChunkSettings.describe)."""

    def __init__(self, path: Path, built: str, wanted: str) -> None:
        AkhbarIndexError.__init__(
            self, f"the store at {path} was chunked as '{built}', not '{wanted}'")
        self.path, self.built, self.wanted, self.built_flag = path, built, wanted, ""


class NoStoreError(StoreError):
    """No store at `path` (`not_a_folder`: something else is there)."""

    def __init__(self, path: Path, *, not_a_folder: bool = False) -> None:
        super().__init__(f"{path} is not a folder" if not_a_folder
                         else f"no Akhbar store at {path}")
        self.path, self.not_a_folder = path, not_a_folder


class LexicalIndexError(StoreError):
    """The lexical index at `path` is missing or damaged (`problem` says how); indexing the
    archive again rebuilds it."""

    def __init__(self, path: Path, problem: str) -> None:
        super().__init__(f"the lexical index at {path} is {problem}")
        self.path, self.problem = path, problem


class ServerAddressError(StoreError):
    """A Chroma server `address` that is not HOST:PORT."""

    def __init__(self, address: str) -> None:
        super().__init__(f"bad Chroma server address {address!r}: use HOST:PORT")
        self.address = address


class ServerUnreachableError(StoreError):
    """The Chroma server at `host`:`port` did not answer; `reason` is what Chroma said."""

    def __init__(self, host: str, port: int, reason: str) -> None:
        super().__init__(f"cannot reach the Chroma server at {host}:{port}: {reason}")
        self.host, self.port, self.reason = host, port, reason

    @property
    def address(self) -> str:
        return f"{self.host}:{self.port}"


class FieldMapError(AkhbarIndexError):
    """A field override names no article field (`--field NAME=COLUMN`)."""
