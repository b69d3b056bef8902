"""The exception every importer raises for input it refuses (part of `geodata.errors`)."""

from ..errors import ImportRejected

__all__ = ["ImportRejected"]
