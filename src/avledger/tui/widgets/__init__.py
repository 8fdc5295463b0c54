"""Reusable widgets (each carries its own DEFAULT_CSS)."""

from avledger.tui.widgets.changes import ChangeView
from avledger.tui.widgets.checkgroup import CheckGroup
from avledger.tui.widgets.formrow import FormRow
from avledger.tui.widgets.jobprogress import JobProgress
from avledger.tui.widgets.navbar import NavBar
from avledger.tui.widgets.paged import Listing, ListingJob, PagedTable
from avledger.tui.widgets.select import ZhSelect
from avledger.tui.widgets.table import RegisterTable

__all__ = [
    "ChangeView",
    "CheckGroup",
    "FormRow",
    "JobProgress",
    "Listing",
    "ListingJob",
    "NavBar",
    "PagedTable",
    "RegisterTable",
    "ZhSelect",
]
