"""The roster template: one sheet per kind with its headers and two example rows, and a 说明 sheet."""

from __future__ import annotations

import datetime
import io

from openpyxl import Workbook
from openpyxl.styles import Font

from rosters.kinds import SPECS

#: Example rows per kind (illustrative codes: replace them with real ones).
EXAMPLES: dict[str, list[list[object]]] = {
    "units": [
        ["X620123", "榆中县农业农村局", "县（市、区）单位", "620123"],
        ["SCZT", "甘肃省财政厅", "省直部门", "620000"],
    ],
    "people": [
        ["P-X620123-H001", "张帮扶", "科级及以下", "X620123", "科员", "0931-5555555"],
        ["P-SCZT-01", "李干部", "处级", "SCZT", "", ""],
    ],
    "households": [
        ["H620123101201-01", "张三", "620123101201", 4, "未脱贫", None],
        ["H620123101201-02", "李四", "620123101201", 3, "已脱贫", 2019],
    ],
    "pairings": [
        ["P-X620123-H001", "H620123101201-01", datetime.date(2019, 1, 1), None],
        ["P-X620123-H001", "H620123101201-02", datetime.date(2019, 1, 1), datetime.date(2019, 12, 31)],
    ],
    "visits": [
        [
            "P-X620123-H001",
            "H620123101201-01",
            datetime.date(2019, 3, 12),
            "种植中药材 2 亩",
            "",
            "",
            "",
            "",
            "",
            "缺少种苗",
        ],
        ["P-X620123-H001", "H620123101201-02", datetime.date(2019, 6, 5), "", "一人外出务工", "", "", "", "", ""],
    ],
    "deeds": [
        ["P-X620123-H001", "H620123101201-01", datetime.date(2019, 4, 2), "联系农技站送种苗 200 株"],
        ["P-X620123-H001", "H620123101201-02", datetime.date(2019, 7, 9), "协助办理务工人员技能培训报名"],
    ],
}

NOTES = [
    "填写说明",
    "1. 每类名册一个工作表，工作表名称和第 1 行列标题不要改动；不需要的工作表可以删除。",
    "2. 带 * 的列必须填写；日期可填日期格式，或如 2019-03-31、2019年3月31日。",
    "3. 不要合并单元格，不要使用公式（请“粘贴为数值”）。",
    "4. 按编码匹配已有记录：编码相同则更新，新编码则新增；同一文件重复导入不会产生变化。",
    "5. 结对帮扶表列出所涉帮扶户的全部结对；表中不再出现的结对以生效日期结束，不会删除。",
    "6. 先预览，确认无误后再导入；任何一行有错误，整个文件都不会写入。",
]


def roster_template() -> bytes:
    """The template workbook, as bytes."""
    workbook = Workbook()
    notes = workbook.active
    notes.title = "说明"
    for line in NOTES:
        notes.append([line])
    notes.column_dimensions["A"].width = 90
    notes.append([])
    notes.append(["工作表", "列（* 为必填）"])
    for spec in SPECS:
        columns = "、".join(f"{c.header}{'*' if c.required else ''}" for c in spec.columns)
        notes.append([spec.title, columns])
    bold = Font(bold=True)
    for spec in SPECS:
        sheet = workbook.create_sheet(spec.title)
        sheet.append([c.header for c in spec.columns])
        for cell in sheet[1]:
            cell.font = bold
        for index, column in enumerate(spec.columns):
            sheet.column_dimensions[chr(ord("A") + index)].width = max(12, len(column.header) * 3)
        for row in EXAMPLES.get(spec.kind, []):
            sheet.append(row)
            for cell, column in zip(sheet[sheet.max_row], spec.columns, strict=False):
                if column.type == "date":
                    cell.number_format = "yyyy-mm-dd"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
