from django.db import models
from django.utils.translation import gettext_lazy as _


class RunStatus(models.TextChoices):
    QUEUED = "queued", _("排队中")  # waiting for the task worker
    RUNNING = "running", _("生成中")  # the worker is building the file (see progress)
    DONE = "done", _("已完成")  # the file is ready to download
    FAILED = "failed", _("失败")  # the build raised; message says why
