from django import forms

from civicgrid.privacy.subject import SOURCES


class CorrectionForm(forms.Form):
    section = forms.ChoiceField(label="哪一类信息", choices=[(s.key, s.title) for s in SOURCES])
    wrong = forms.CharField(label="哪里不对(或要删除什么)", max_length=500, widget=forms.Textarea(attrs={"rows": 3}))
    wanted = forms.CharField(label="应当是什么(删除请写“删除”)", max_length=500)


class SubjectExportForm(forms.Form):
    username = forms.CharField(label="居民登录名", max_length=150)
    reason = forms.CharField(label="导出事由(如书面申请编号)", min_length=4, max_length=200)
    format = forms.ChoiceField(label="格式", choices=[("pdf", "PDF"), ("json", "JSON")])
