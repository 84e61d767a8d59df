"""The hotline panel's tabs, one widget per file: 概况, 分类, 网格, 未办结工单, 工单详情."""

from .categories_tab import CategoriesTab
from .detail_tab import DetailTab
from .grids_tab import GridsTab
from .open_tab import OpenTab
from .overview_tab import OverviewTab

__all__ = ["CategoriesTab", "DetailTab", "GridsTab", "OpenTab", "OverviewTab"]
