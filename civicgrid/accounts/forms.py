from django import forms


class LoginForm(forms.Form):
    username = forms.CharField(label="用户名", max_length=150)
    password = forms.CharField(label="密码", widget=forms.PasswordInput, max_length=256)


class PasswordChangeForm(forms.Form):
    old_password = forms.CharField(label="原密码", widget=forms.PasswordInput, max_length=256)
    new_password = forms.CharField(label="新密码", widget=forms.PasswordInput, max_length=256,
                                   help_text="至少8位,包含大写字母、小写字母、数字、特殊字符中的3类")
    new_password2 = forms.CharField(label="再次输入新密码", widget=forms.PasswordInput, max_length=256)

    def clean(self):
        data = super().clean()
        if data.get("new_password") and data.get("new_password") != data.get("new_password2"):
            self.add_error("new_password2", "两次输入的新密码不一致")
        return data


class TokenForm(forms.Form):
    name = forms.CharField(label="令牌用途", max_length=100, required=False)


class CodeForm(forms.Form):
    code = forms.CharField(label="动态验证码或恢复码", max_length=32,
                           widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "text",
                                                         "autocapitalize": "none", "spellcheck": "false"}))


class UserForm(forms.Form):
    username = forms.CharField(label="用户名", max_length=150, help_text="登录名:字母、数字和 . _ - @")
    display_name = forms.CharField(label="姓名", max_length=50)
    phone = forms.CharField(label="手机号", max_length=20, required=False, help_text="激活链接以短信发送到此号码")


class UserEditForm(forms.Form):
    display_name = forms.CharField(label="姓名", max_length=50)
    phone = forms.CharField(label="手机号", max_length=20, required=False)


class AssignForm(forms.Form):
    role = forms.ChoiceField(label="角色")
    region = forms.CharField(label="区域编码", max_length=18, required=False,
                             help_text="按区域管辖的角色填写,如微网格员填18位微网格编码")
    department = forms.ChoiceField(label="部门", required=False)

    def __init__(self, *args, roles=(), departments=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = [("", "请选择角色")] + [(r.value, r.label) for r in roles]
        self.fields["department"].choices = [("", "—")] + [(str(d.pk), f"{d.name}({d.code})") for d in departments]


class ImportForm(forms.Form):
    file = forms.FileField(label="Excel 文件(.xlsx)")


class DepartmentForm(forms.Form):
    code = forms.CharField(label="部门编码", max_length=20)
    name = forms.CharField(label="部门名称", max_length=100)
    short_name = forms.CharField(label="简称", max_length=30, required=False)
    kind = forms.ChoiceField(label="类型")
    region = forms.CharField(label="所在区域编码", max_length=18, required=False, help_text="实践站、警务室等填所在区域")

    def __init__(self, *args, **kwargs):
        from civicgrid.accounts.models import DepartmentKind

        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = DepartmentKind.choices


class DeactivateForm(forms.Form):
    successor = forms.ChoiceField(label="接替人", required=False)
    reason = forms.CharField(label="说明", max_length=200, required=False)

    def __init__(self, *args, candidates=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["successor"].choices = [("", "请选择接替人")] + [
            (str(u.pk), f"{u.display_name or u.username}({u.username})") for u in candidates]


class PasswordSetForm(forms.Form):
    password = forms.CharField(label="设置密码", widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
                               max_length=256, help_text="至少8位,包含大写字母、小写字母、数字、特殊字符中的3类")
    password2 = forms.CharField(label="再次输入", widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
                                max_length=256)

    def clean(self):
        data = super().clean()
        if data.get("password") and data.get("password") != data.get("password2"):
            self.add_error("password2", "两次输入的密码不一致")
        return data
