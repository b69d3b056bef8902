"""Import pipeline for GIS files and XPlanGML: check, read, clean, then write in one transaction."""

from .errors import ImportRejected
from .report import ImportReport

__all__ = ["ImportRejected", "ImportReport"]
