"""The upload form of the roster import."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from rosters.workbook import MAX_BYTES


class UploadForm(forms.Form):
    file = forms.FileField(label=_("花名册工作簿（.xlsx）"))
    as_of = forms.DateField(
        label=_("生效日期"),
        initial=timezone.localdate,
        help_text=_("名册中不再出现的结对以此日结束。"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def clean_file(self) -> object:
        file = self.cleaned_data["file"]
        if file.size > MAX_BYTES:
            raise forms.ValidationError(_("文件过大：最大 %(limit)d MB。") % {"limit": MAX_BYTES // (1024 * 1024)})
        return file
