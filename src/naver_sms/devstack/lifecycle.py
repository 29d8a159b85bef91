"""What every local service shares: explicit start()/stop(), and a `with` block around them."""

from __future__ import annotations

from abc import ABC, abstractmethod
from types import TracebackType
from typing import Self


class Service(ABC):
    """Something the local stack starts and must stop again, even when the block raises."""

    @abstractmethod
    def start(self) -> Self:
        """Start (or, where documented, do nothing if already running); returns self."""

    @abstractmethod
    def stop(self) -> object:
        """Stop and release what start() took."""

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
