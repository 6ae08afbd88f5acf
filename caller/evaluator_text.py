"""Every word the window's evaluation screen shows, Chinese first: {"key": ("中文", "English")}."""
from __future__ import annotations

LANGS = ("zh_CN", "en")

TEXT: dict[str, tuple[str, str]] = {
    "title": ("服务评价 · {window}", "Service rating · {window}"),
    "window_label": ("{n}号窗口", "Window {n}"),
    "welcome": ("欢迎办理业务", "Welcome"),
    "clerk": ("工作人员：{name}", "Clerk: {name}"),
    "no_clerk": ("本窗口暂未开放", "This window is not open"),
    "idle_hint": ("办结后请对我们的服务进行评价", "Please rate our service when you are done"),
    "rate_title": ("请对本次服务进行评价", "Please rate this service"),
    "rate_ticket": ("{number} · {service}", "{number} · {service}"),
    "reasons_good": ("您满意的方面（可多选，选填）", "What went well (optional)"),
    "reasons_bad": ("您不满意的原因（可多选，选填）", "What went wrong (optional)"),
    "submit": ("提交评价", "Submit"),
    "back": ("重新选择", "Change rating"),
    "auto_submit": ("{s} 秒后自动提交", "Sending in {s} s"),
    "sending": ("正在提交…", "Sending…"),
    "thanks": ("感谢您的评价！", "Thank you for your rating!"),
    "thanks_detail": ("您的评价：{score}", "Your rating: {score}"),
    "already": ("本次服务已评价，感谢您的反馈", "This service was already rated; thank you"),
    "offline": ("与服务器的连接已断开，正在重试…", "Connection to the hub lost, retrying…"),
    "not_sent": ("网络不稳定，评价尚未提交，请再点一次", "Network problem; not sent yet, please tap again"),
    "lang": ("English", "中文"),
}

def tr(key: str, lang: str = "zh_CN", **values) -> str:
    zh, en = TEXT.get(key, (key, key))
    text = en if lang == "en" else zh
    return text.format(**values) if values else text
