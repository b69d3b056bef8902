"""Workbench pages, split by job: the Abwägung itself, reports (statistics, map, exports), the result."""

from .base import ConsultationStaffMixin, WorkbenchIndexView
from .reports import ExportView, MapView, StatisticsView
from .result import PublicResultView, ResultPublishView, ResultUnpublishView
from .weighing import BulkActionView, GroupSimilarView, GroupView, StatementTableView, WeighingEditView

__all__ = [
    "BulkActionView",
    "ConsultationStaffMixin",
    "ExportView",
    "GroupSimilarView",
    "GroupView",
    "MapView",
    "PublicResultView",
    "ResultPublishView",
    "ResultUnpublishView",
    "StatementTableView",
    "StatisticsView",
    "WeighingEditView",
    "WorkbenchIndexView",
]
