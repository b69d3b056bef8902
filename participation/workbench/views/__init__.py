"""Workbench pages, split by job: the Abwägung itself, reports (statistics, map, exports), the result."""

from .assignments import AssignmentActionView, AssignmentView, AssignView, MyTasksView
from .base import ConsultationStaffMixin, WorkbenchIndexView
from .council import (
    CouncilTemplateDeleteView,
    CouncilTemplateDownloadView,
    CouncilTemplateListView,
    CouncilTemplateUploadView,
)
from .exports import ExportDownloadView, ExportJobView, ExportStartView
from .notices import GroupInspectionView, ResultLettersView
from .reports import MapView, StatisticsView
from .result import PublicResultView, ResultPublishView, ResultUnpublishView
from .reviewers import ReviewerDeactivateView, ReviewerInviteAgainView, ReviewerListView
from .segments import (
    CouncilDecisionView,
    DiffView,
    HistoryView,
    ProposeView,
    SegmentCreateView,
    SegmentDeleteView,
    SegmentEditView,
    SegmentSplitView,
)
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
    "AssignView",
    "AssignmentActionView",
    "AssignmentView",
    "MyTasksView",
    "ReviewerDeactivateView",
    "ReviewerInviteAgainView",
    "ReviewerListView",
    "BulkActionView",
    "ConsultationStaffMixin",
    "CouncilDecisionView",
    "DiffView",
    "HistoryView",
    "ProposeView",
    "SegmentCreateView",
    "SegmentDeleteView",
    "SegmentEditView",
    "SegmentSplitView",
    "CouncilTemplateDeleteView",
    "CouncilTemplateDownloadView",
    "CouncilTemplateListView",
    "CouncilTemplateUploadView",
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
