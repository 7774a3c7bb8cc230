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
