"""Workbench pages, split by job: the Abwägung itself, reports (statistics, map, exports), the result."""

from .base import ConsultationStaffMixin, WorkbenchIndexView
from .exports import ExportDownloadView, ExportJobView, ExportStartView
from .notices import GroupInspectionView, ResultLettersView
from .reports import MapView, StatisticsView
from .result import PublicResultView, ResultPublishView, ResultUnpublishView
from .text_blocks import TextBlockDeleteView, TextBlockEditView, TextBlockListView
from .weighing import (
    BulkActionView,
    GroupingStatusView,
    GroupSimilarView,
    GroupView,
    StatementTableView,
    WeighingEditView,
)

__all__ = [
    "BulkActionView",
    "ConsultationStaffMixin",
    "ExportDownloadView",
    "ExportJobView",
    "ExportStartView",
    "GroupSimilarView",
    "GroupingStatusView",
    "GroupView",
    "GroupInspectionView",
    "MapView",
    "PublicResultView",
    "ResultLettersView",
    "ResultPublishView",
    "ResultUnpublishView",
    "StatementTableView",
    "StatisticsView",
    "TextBlockDeleteView",
    "TextBlockEditView",
    "TextBlockListView",
    "WeighingEditView",
    "WorkbenchIndexView",
]
