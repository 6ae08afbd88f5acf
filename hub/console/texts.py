"""The console's error messages (zh_CN, English), added to the hub's catalogue so they reach
the browser through the same `{code, message, message_en}` error body as every other error."""
from __future__ import annotations

from ..messages import MESSAGES

CONSOLE_MESSAGES: dict[str, tuple[str, str]] = {
    "NO_PASSWORD": ("尚未设置管理台密码，请在服务器上运行：hallq hub set-password --password 新密码",
                    "No console password yet; on the hub run: hallq hub set-password --password NEW"),
    "LOGIN_FAILED": ("密码不正确（10 分钟内还可再试 {left} 次）",
                     "Wrong password ({left} more tries in 10 minutes)"),
    "LOGIN_LOCKED": ("密码错误次数过多，请 {minutes} 分钟后再试",
                     "Too many wrong passwords; try again in {minutes} min"),
    "PAIRING_CODE_INVALID": ("配对码不正确或已过期（10 分钟有效），请在管理台重新生成",
                             "Pairing code wrong or expired (valid 10 min); make a new one in the console"),
    "PAIRING_LOCKED": ("配对码错误次数过多，请 {minutes} 分钟后再试",
                       "Too many wrong pairing codes; try again in {minutes} min"),
    "PAIRING_WINDOW": ("叫号器必须指定本大厅已有的窗口号", "A caller needs the number of one of this hall's windows"),
    "CONFIG_INVALID": ("配置有误（{field}）：{detail}", "Invalid setting ({field}): {detail}"),
    "CONFIG_ORPHANS": ("今天还有 {count} 张等候中的票（{numbers}）会因此无人受理，未保存。请先叫号办结或转移这些票。",
                       "{count} waiting ticket(s) today ({numbers}) would have no window; nothing saved. "
                       "Serve or transfer them first."),
    "CONFIG_WINDOW_IN_USE": ("{window} 号窗口正在使用（{clerk} 已登录），请先退出登录再删除",
                             "Window {window} is in use ({clerk} logged in); log out there first"),
    "CONFIG_NOT_FOUND": ("没有这一项：{key}", "No such entry: {key}"),
    "CONFIG_EXISTS": ("编号 {key} 已存在", "{key} already exists"),
    "CONFIG_PIN_REQUIRED": ("新工作人员需要设置 4-8 位数字密码", "A new clerk needs a PIN of 4-8 digits"),
}

for _code, _texts in CONSOLE_MESSAGES.items():
    MESSAGES.setdefault(_code, _texts)
