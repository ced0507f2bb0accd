"""Messages of the roster import as constants, so that pages, services and tests share one wording."""

from django.utils.translation import gettext_lazy as _


class Msg:
    """Messages of the ``rosters`` app (Chinese source strings, English in locale/en)."""

    ALREADY_CONFIRMED = _("该预览已经确认导入过，未重复导入：这是那次导入的结果。")
    STALLED = _("处理中断：处理该文件的后台进程已停止。可以重新处理（导入要么全部写入，要么什么都不写）。")
    RETRIED = _("已重新排队处理。")
    NOT_STALLED = _("该文件没有中断，无需重新处理。")
    CRASHED = _("处理出错，未写入任何数据：%(error)s")
