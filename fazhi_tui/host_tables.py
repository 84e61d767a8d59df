"""The two reference tables the host owns: grids (网格) and people (人员).

Every activity table refers to them: a hotline ticket or an enforcement case happens in a grid;
a training has a teacher. They are registered through the same ``fazhi_tables`` hook as the
plugins' tables (see ``host_plugin``).
"""

from __future__ import annotations

import pyarrow as pa

from .store.spec import Column, TableSpec

GRID_TYPES = ("综合", "专属")

# Roles a person may hold. The seed report counts people by these (DOMAIN.md §1, 一(一) and 二(三)).
PERSON_ROLES = (
    "网格长",
    "网格员",
    "网格指导员",
    "法律明白人",
    "人民调解员",
    "法律联络员",
    "社会综合治理网格员",
    "执法队员",
    "班子成员",
    "法律顾问",
    # The town's two principal leaders (党政主要负责人): the report counts the study sessions they
    # lead (领学, issue 17). Both are also 班子成员, which the leadership count keys on.
    "党委书记",
    "镇长",
)

GRIDS = TableSpec(
    name="grids",
    label="网格",
    key="code",
    columns=(
        Column("code", pa.string(), "网格编码", required=True, doc="村统计代码（12位）+ 两位序号"),
        Column("name", pa.string(), "名称", required=True),
        Column("kind", pa.string(), "类型", required=True, codes="grid_kind"),
        Column("village", pa.string(), "所属村", required=True),
        Column("head", pa.string(), "网格长", ref="people", doc="人员编号"),
        Column("workers", pa.list_(pa.string()), "网格员", ref="people", doc="人员编号列表"),
        Column("households", pa.int32(), "户数", bounds=(0, None)),
        Column("population", pa.int32(), "人口", bounds=(0, None)),
        Column("boundary", pa.string(), "边界", doc="GeoJSON Polygon 或 MultiPolygon（经纬度）"),
        Column("established", pa.date32(), "设立日期"),
    ),
    code_tables={"grid_kind": GRID_TYPES},
    doc="镇村两级网格。",
)

PEOPLE = TableSpec(
    name="people",
    label="人员",
    key="person_id",
    columns=(
        Column("person_id", pa.string(), "人员编号", required=True),
        Column("name", pa.string(), "姓名", required=True),
        Column("roles", pa.list_(pa.string()), "角色", required=True, codes="person_role"),
        Column("grid", pa.string(), "网格", ref="grids", doc="网格编码"),
        Column("unit", pa.string(), "单位"),
        Column("badge_no", pa.string(), "执法证号", doc="按公示制度公开，不属个人信息"),
        Column("phone", pa.string(), "联系电话", pii="phone"),
        Column("start_date", pa.date32(), "任职日期"),
        Column("end_date", pa.date32(), "离任日期"),
    ),
    code_tables={"person_role": PERSON_ROLES},
    doc="网格长、网格员、法律明白人、执法队员、班子成员等。工作人员姓名按规定公开，电话为个人信息。",
)

HOST_TABLES = (GRIDS, PEOPLE)
