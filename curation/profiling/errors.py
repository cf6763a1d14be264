"""Errors of the profiling engine, split by what the caller should do about them.

- `ShardDataError` (and subclasses): the bytes themselves are unusable (not the declared format, a
  hostile Parquet footer, an option the data cannot satisfy). Retrying reads the same bytes and
  fails the same way: not retryable.
- `ShardIOError`: reading the bytes failed (the opener or the underlying file/network raised
  `OSError`). Possibly transient: retryable.

Problems inside a readable shard (a record that does not parse, an invalid UTF-8 sequence, a
decompression cap reached, a truncated stream) are not exceptions: they end up as counters, a few
reasons and `ShardProfile.stop_reason`.
"""


class ProfilingError(Exception):
    """Base class of every error the engine raises on purpose."""

    retryable = False

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class ShardDataError(ProfilingError):
    """The shard's bytes cannot be profiled at all; not retryable."""


class UnsupportedInputError(ShardDataError):
    """A format, compression or option the engine does not know."""


class ShardIOError(ProfilingError):
    """Reading the shard failed (I/O); the task layer may retry."""

    retryable = True
