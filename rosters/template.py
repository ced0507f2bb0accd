"""The roster template: one sheet per kind with its headers and two example rows, and a 说明 sheet."""

from __future__ import annotations

import datetime
import io

from openpyxl import Workbook
from openpyxl.styles import Font

from rosters.kinds import SPECS
from tiers.models import DutyRecordKind

#: Example rows per kind. Their codes (SL-…, 示例镇 620123199) are illustrative and do not clash with the
#: demo: replace them with real ones.
D = datetime.date
T = "620123199201-20190101"  # the example team's code
EXAMPLES: dict[str, list[list[object]]] = {
    "places": [
        ["620123199", "示例镇", "乡镇", "620123", None, None],
        ["620123199201", "示例村", "村", "620123199", 104.112527, 35.843056],
    ],
    "units": [
        ["SL-X620123", "示例县直单位", "县（市、区）单位", "620123"],
        ["SL-SCZT", "示例省直单位", "省直部门", "620000"],
    ],
    "people": [
        ["SL-P-H001", "张帮扶", "科级及以下", "SL-X620123", "科员", "0931-5555555"],
        ["SL-P-01", "李干部", "处级", "SL-SCZT", "", ""],
        ["SL-P-90", "赵联系", "省级", "SL-SCZT", "", ""],
        ["SL-P-91", "王驻村", "科级及以下", "SL-SCZT", "四级主任科员", ""],
        ["SL-P-D01", "刘队员", "科级及以下", "SL-X620123", "", ""],
    ],
    "posts": [
        ["SL-P-01", "帮扶工作联络员", "SL-SCZT", None, D(2019, 1, 1), None],
        ["SL-P-H001", "分管负责同志", None, "620123199", D(2019, 1, 1), D(2019, 12, 31)],
    ],
    "contact_leaders": [["SL-P-90", "620123", "620123199", "620123199201", D(2019, 1, 1), D(2019, 6, 30)]],
    "group_leaders": [["SL-SCZT", "620123", D(2019, 1, 1), D(2019, 6, 30)]],
    "sector_leads": [["SL-SCZT", "SL-X620123", D(2019, 1, 1), None]],
    "assistance": [
        ["SL-SCZT", "620123199201", D(2019, 1, 1), None],
        ["SL-X620123", "620123199201", D(2019, 1, 1), None],
    ],
    "teams": [[T, "示例村驻村帮扶工作队", "620123199201", D(2019, 1, 1), None]],
    "memberships": [
        [T, "SL-P-91", "第一书记兼队长", "SL-SCZT", D(2019, 1, 1), None],
        [T, "SL-P-D01", "队员", "SL-X620123", D(2019, 1, 1), None],
    ],
    "households": [
        ["SL-H-01", "张三", "620123199201", 4, "未脱贫", None],
        ["SL-H-02", "李四", "620123199201", 3, "已脱贫", 2019],
    ],
    "pairings": [
        ["SL-P-H001", "SL-H-01", D(2019, 1, 1), None],
        ["SL-P-H001", "SL-H-02", D(2019, 1, 1), D(2019, 12, 31)],
    ],
    "visits": [
        ["SL-P-H001", "SL-H-01", D(2019, 3, 12), "种植中药材 2 亩", "", "", "", "", "", "缺少种苗"],
        ["SL-P-H001", "SL-H-02", D(2019, 6, 5), "", "一人外出务工", "", "", "", "", ""],
    ],
    "deeds": [
        ["SL-P-H001", "SL-H-01", D(2019, 4, 2), "联系农技站送种苗 200 株"],
        ["SL-P-H001", "SL-H-02", D(2019, 7, 9), "协助办理务工人员技能培训报名"],
    ],
    "plans": [
        ["SL-P-H001", "SL-H-01", D(2019, 2, 25), 2019, "4 口人，2 个劳动力", "缺技术、缺资金",
         "中药材种植、务工", "技术培训、产业奖补", "年人均纯收入 4000 元以上"],
        ["SL-P-H001", "SL-H-02", D(2019, 2, 25), 2019, "3 口人，1 个劳动力", "因病",
         "养殖", "医疗救助、养殖技术指导", ""],
    ],
    "duty_days": [
        ["SL-P-91", D(2019, 3, 4), "在村工作并住村", ""],
        ["SL-P-91", D(2019, 3, 5), "出差", ""],
    ],
    "training_days": [
        ["620123", "SL-P-91", D(2019, 2, 20), "驻村干部轮训：政策解读"],
        ["620123", "SL-P-D01", D(2019, 2, 20), "驻村干部轮训：政策解读"],
    ],
    "follow_ups": [["SL-P-91", D(2019, 3, 28), "财政厅人事处 刘某", "了解驻村生活情况，协调解决办公用品"]],
    "duty_records": [
        [D(2019, 4, 10), "单位党委（党组）研究部署帮扶工作", "党组会研究部署帮扶工作", None, "SL-SCZT", "SL-P-01",
         "SL-P-01、SL-P-90", "研究部署年度帮扶工作"],
        [D(2019, 5, 15), "县（市、区）脱贫攻坚帮扶工作推进会", "全县帮扶工作推进会", "620123", None, None, "", ""],
    ],
}  # fmt: skip

NOTES = [
    "填写说明",
    "1. 每类名册一个工作表，工作表名称和第 1 行列标题不要改动；不需要的工作表可以删除。",
    "2. 带 * 的列必须填写；日期可填日期格式，或如 2019-03-31、2019年3月31日。",
    "3. 不要合并单元格，不要使用公式（请“粘贴为数值”）。",
    "4. 按编码匹配已有记录：编码相同则更新，新编码则新增；同一文件重复导入不会产生变化。",
    "5. 结对帮扶表列出所涉帮扶户的全部结对，驻村干部表列出所涉工作队的全部队员；表中不再出现的结对或队员"
    "以生效日期结束，不会删除。",
    "6. 先预览，确认无误后再导入；任何一行有错误，整个文件都不会写入。",
    "7. 选择项（层级、单位类别、职级、职务、考勤类别等）按下表填写中文名称；考勤类别也可填简称：住村、在村、出差、"
    "会议、培训、请假、其他。",
    "8. 驻村考勤每人每天一行（在村工作并住村即计一个住村夜），因此住村天数不会超过在岗天数。",
    "9. 履责记录的类别填类别名称或编码，多个用顿号分隔；参加人员填人员编码，多个用顿号分隔。",
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
    notes.append([])
    notes.append(["工作表", "选择项", "可填写的值"])
    for spec in SPECS:
        for column in spec.columns:
            if column.type == "choice":
                labels = [text for text, value in column.choices.items() if text != value]
                notes.append([spec.title, column.header, "、".join(labels)])
    kinds = "、".join(DutyRecordKind.objects.order_by("clause", "code").values_list("name", flat=True))
    notes.append(["履责记录", "类别", kinds])
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
