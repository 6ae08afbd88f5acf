"""Error messages shown to people, zh_CN first. Codes are stable; texts may improve."""
from __future__ import annotations

MESSAGES: dict[str, tuple[str, str]] = {
    "BAD_REQUEST": ("请求内容有误：{detail}", "The request is not valid: {detail}"),
    "MALFORMED_JSON": ("请求不是有效的 JSON", "The request body is not valid JSON"),
    "NOT_FOUND": ("没有这个接口", "No such endpoint"),
    "METHOD_NOT_ALLOWED": ("不支持该请求方法", "Method not allowed"),
    "UNAUTHORIZED": ("设备未配对或令牌无效，请在管理台重新配对", "Device not paired or token invalid; pair it again in the console"),
    "FORBIDDEN": ("此设备（{role}）无权执行该操作", "This device ({role}) may not do that"),
    "WRONG_WINDOW": ("此叫号器只属于 {own} 号窗口", "This caller belongs to window {own} only"),
    "BODY_TOO_LARGE": ("请求内容太大（最多 {limit_kb} KB），未处理", "The request body is too large ({limit_kb} KB at most); nothing was done"),
    "INVALID_TEXT": ("请求中有无效的字符（不成对的代理项），未处理", "The request holds invalid text (an unpaired surrogate); nothing was done"),
    "INTERNAL": ("服务器内部错误，请联系管理员", "Internal error; please contact the administrator"),
    "STORAGE": ("数据暂时无法保存，操作未生效，请重试", "Could not save; nothing was changed, please retry"),
    "SERVICE_NOT_FOUND": ("没有这个事项：{service}", "Unknown service: {service}"),
    "SERVICE_UNSERVED": ("“{service}”暂无窗口受理", "No window handles \u201c{service}\u201d"),
    "ZONE_CLOSED": ("{zone}当前不在服务时间", "{zone} is closed at this hour"),
    "NOT_SENIOR": ("身份证显示未满 {age} 周岁，不能按老年人优先取号", "The ID card shows the holder is under {age}"),
    "BAD_PRIORITY_REASON": ("优先原因无效：{reason}", "Unknown priority reason: {reason}"),
    "TICKET_NOT_FOUND": ("找不到这张票", "Ticket not found"),
    "NOT_OWN_TICKET": ("{ticket} 号不是本机取的号，请到窗口或服务台取消", "Ticket {ticket} was not issued here; ask at a window or the desk"),
    "CANCEL_TOO_LATE": ("取号超过 {minutes} 分钟后不能在本机取消，请到窗口或服务台办理",
                        "Ticket {ticket} is more than {minutes} min old; cancel it at a window or the desk"),
    "TICKET_STATE": ("{ticket} 号当前状态（{state}）不能这样操作", "Ticket {ticket} is {state}; that is not possible now"),
    "WINDOW_NOT_FOUND": ("没有 {window} 号窗口", "There is no window {window}"),
    "WINDOW_CLOSED": ("{window} 号窗口未开启，请先登录", "Window {window} is closed; log in first"),
    "WINDOW_PAUSED": ("{window} 号窗口暂停中，请先恢复", "Window {window} is paused; resume first"),
    "WINDOW_NOT_PAUSED": ("{window} 号窗口没有暂停", "Window {window} is not paused"),
    "WINDOW_BUSY": ("{window} 号窗口还有正在办理的号，请先办结、过号或转移", "Window {window} still has a ticket; finish, no-show or transfer it first"),
    "WINDOW_TAKEN": ("{window} 号窗口已有其他工作人员登录", "Another clerk is logged in at window {window}"),
    "CLERK_ELSEWHERE": ("您已在 {window} 号窗口登录，请先退出", "You are logged in at window {window}; log out there first"),
    "NO_CURRENT_TICKET": ("{window} 号窗口当前没有号", "Window {window} has no current ticket"),
    "BAD_LOGIN": ("工号或密码不正确", "Wrong clerk ID or PIN"),
    "PAUSE_REASON_REQUIRED": ("请选择暂停原因", "Please give a reason for the pause"),
    "TICKET_NOT_WAITING_HERE": ("{ticket} 号不在 {window} 号窗口的等候队列中，不能叫这个号",
                                "Ticket {ticket} is not waiting for window {window}; it cannot be called here"),
    "BAD_CALL_REASON": ("请从列表中选择叫这个号的原因（{reason} 无效）", "Choose a reason from the list ({reason} is not one)"),
    "TRANSFER_TARGET": ("请选择要转到的事项或窗口（只选一个）", "Choose one target: a service or a window"),
    "TRANSFER_SAME_WINDOW": ("不能转到本窗口", "Cannot transfer to the same window"),
    "SLOT_ORDER": ("预约时段结束时间必须晚于开始时间", "The slot must end after it starts"),
    "SLOT_PAST": ("预约时段已过", "That slot is in the past"),
    "APPOINTMENT_CONTACT": ("预约需要手机号或身份证", "An appointment needs a phone number or ID card"),
    "APPOINTMENT_NOT_FOUND": ("没有找到您的预约，请核对预约码或手机号，或直接取号", "No appointment found; check the code or phone number, or take a normal ticket"),
    "APPOINTMENT_NOT_TODAY": ("您的预约日期是 {date}，不是今天", "Your appointment is on {date}, not today"),
    "APPOINTMENT_TOO_EARLY": ("您预约的是 {slot}，请于 {earliest} 后再来签到", "Your slot is at {slot}; please check in after {earliest}"),
    "APPOINTMENT_LATE": ("您预约的时段 {slot} 已过，请直接取普通号", "Your slot {slot} has passed; please take a normal ticket"),
    "NOTICE_TOO_LONG": ("公告太长（最多 500 字）", "Notice too long (500 characters at most)"),
    "EVALUATION_NOT_READY": ("{ticket} 号尚未办结，办结后才能评价", "Ticket {ticket} is not finished yet"),
    "EVALUATION_EXISTS": ("{ticket} 号已经评价过了，感谢您的反馈", "Ticket {ticket} has already been rated; thank you"),
    "EVALUATION_SCORE": ("评价等级无效", "Invalid rating"),
    "TOKEN_INVALID": ("二维码无效或已过期", "This link is invalid or has expired"),
    "DEVICE_NOT_FOUND": ("没有这个设备", "Device not found"),
    "EVALUATION_REASON": ("评价原因无效：{reason}", "Unknown evaluation reason: {reason}"),
    "EVALUATION_NOT_FOUND": ("{ticket} 号还没有评价", "Ticket {ticket} has not been rated"),
    "FOLLOWUP_STATE": ("跟进状态只能是 待处理 / 已处理 / 已整改", "Follow-up state must be open, handled or rectified"),
    "REPORT_DATE": ("日期格式应为 年-月-日，例如 2026-11-23", "Dates must look like 2026-11-23"),
    "REPORT_RANGE_ORDER": ("开始日期不能晚于结束日期", "The start date is after the end date"),
    "REPORT_RANGE_LONG": ("一次最多统计 {days} 天", "At most {days} days at a time"),
    # the manager's console and pairing
    "NO_PASSWORD": ("尚未创建管理台账号，请在服务器上运行：hallq hub user add 姓名 --role admin",
                    "No console account yet; on the hub run: hallq hub user add NAME --role admin"),
    "LOGIN_FAILED": ("用户名或密码不正确（10 分钟内本机还可再试 {left} 次）",
                     "Wrong user name or password ({left} more tries from this computer in 10 minutes)"),
    "LOGIN_LOCKED": ("本机密码错误次数过多，请 {minutes} 分钟后（{at} 以后）再试",
                     "Too many wrong passwords from this computer; try again in {minutes} min (after {at})"),
    "LOGIN_ACCOUNT_LOCKED": ("该账号密码错误次数过多，已暂停登录，请 {minutes} 分钟后（{at} 以后）再试",
                             "Too many wrong passwords for this account; try again in {minutes} min (after {at})"),
    "LOGIN_HALL_LOCKED": ("全大厅密码错误次数过多，登录暂停，请 {minutes} 分钟后（{at} 以后）再试",
                          "Too many wrong passwords hall-wide; sign-in paused, try again in {minutes} min "
                          "(after {at})"),
    "ROLE_FORBIDDEN": ("您的账号（{role_zh}）无权执行此操作，需要{need_zh}账号",
                       "Your account ({role_en}) may not do that; it needs a {need_en} account"),
    "PASSWORD_SHORT": ("密码至少 {min} 位", "A password needs {min} characters or more"),
    "USER_NAME": ("用户名不能为空，最多 40 个字", "A user name is 1 to 40 characters"),
    "USER_EXISTS": ("已有名为“{name}”的账号", "There is already an account named \u201c{name}\u201d"),
    "USER_NOT_FOUND": ("没有名为“{name}”的账号", "No account named \u201c{name}\u201d"),
    "USER_SELF": ("不能停用自己正在使用的账号", "You cannot disable the account you are signed in with"),
    "CLERK_LOCKED": ("工号 {clerk} 密码错误次数过多，已锁定。请联系值班主任在管理台解锁",
                     "Clerk {clerk} is locked after too many wrong PINs; ask a supervisor to unlock it in the console"),
    "CLERK_NOT_LOCKED": ("工号 {clerk} 没有被锁定", "Clerk {clerk} is not locked"),
    "PAIRING_CODE_INVALID": ("配对码不正确或已失效（10 分钟有效，共输错 5 次即作废），请在管理台重新生成",
                             "Pairing code wrong or void (valid 10 min, void after 5 wrong tries); "
                             "make a new one in the console"),
    "PAIRING_LOCKED": ("配对码错误次数过多，请 {minutes} 分钟后再试",
                       "Too many wrong pairing codes; try again in {minutes} min"),
    "PAIRING_WINDOW": ("叫号器必须指定本大厅已有的窗口号", "A caller needs the number of one of this hall's windows"),
    # TLS between the devices and the hub
    "TLS_PIN_MISMATCH": ("服务器证书与配对时记下的不一致（可能连到了别的服务器或被冒充），已停止连接。请管理员核对证书指纹后重新配对",
                         "The hub's certificate does not match the one pinned at pairing (another hub, or an "
                         "impostor); not connecting. Ask the administrator to check the fingerprint and pair again"),
    "TLS_NAME_MISMATCH": ("服务器证书不包含地址 {host}，请用服务器启动时显示的地址，或让管理员重启服务器以更新证书",
                          "The hub's certificate does not cover {host}; use an address the hub printed at start, "
                          "or restart the hub to renew its certificate"),
    "TLS_REQUIRED": ("服务器地址必须以 https:// 开头", "The hub's address must start with https://"),
    "TLS_NOT_PINNED": ("此设备没有记下服务器的证书，请重新配对", "This device has no pinned hub certificate; pair it again"),
    "FINGERPRINT_INVALID": ("证书指纹格式不对（应为 64 位十六进制数字）",
                            "The fingerprint is not valid (64 hexadecimal digits expected)"),
    "CONFIG_INVALID": ("配置有误（{field}）：{detail}", "Invalid setting ({field}): {detail}"),
    "CONFIG_ORPHANS": ("今天还有 {count} 张等候中的票（{numbers}）会因此无人受理，未保存。请先叫号办结或转移这些票。",
                       "{count} waiting ticket(s) today ({numbers}) would have no window; nothing saved. "
                       "Serve or transfer them first."),
    "CONFIG_WINDOW_IN_USE": ("{window} 号窗口正在使用（{clerk} 已登录），请先退出登录再删除",
                             "Window {window} is in use ({clerk} logged in); log out there first"),
    "CONFIG_NOT_FOUND": ("没有这一项：{key}", "No such entry: {key}"),
    "CONFIG_PIN_REQUIRED": ("新工作人员需要设置 4-8 位数字密码", "A new clerk needs a PIN of 4-8 digits"),
    # issue 10: no stranded citizen
    "NO_WINDOW_OPEN": ("“{service}”现在没有开放的窗口（由{windows}办理），暂不能取号。请稍后再来，或到导办台咨询",
                       "No window handling \u201c{service_en}\u201d is open now ({windows_en}); no ticket can be "
                       "issued. Please come back later or ask at the help desk"),
    "WOULD_STRAND": ("{window} 号窗口离开后，{count} 位群众（{tickets}）将没有窗口叫号。确定要离开吗？管理台会立即收到提醒",
                     "If window {window} goes, {count} waiting ticket(s) ({tickets}) have no window left to call "
                     "them. Go anyway? The console is alerted at once"),
    "MOVE_NOTHING": ("请选择要转移的票", "Choose the tickets to move"),
    # issue 12: holidays and booking
    "BOOKING_NOT_OFFERED": ("“{service}”暂不提供网上预约，请到大厅取号", "\u201c{service}\u201d cannot be booked online; take a number at the hall"),
    "BOOKING_HOLIDAY": ("{date} 是{holiday}假期，大厅休息，不能预约", "{date} is a holiday ({holiday_en}); the hall is closed and takes no bookings"),
    "SLOT_NOT_OFFERED": ("{date} 没有 {slot} 这个预约时段", "There is no slot {slot} on {date}"),
    "BOOKING_TOO_FAR": ("最多只能预约 {days} 天内的时段", "Slots can be booked at most {days} days ahead"),
    "BOOKING_CUTOFF": ("该时段已截止预约（开始前 {minutes} 分钟截止），请选择更晚的时段", "Booking for this slot has closed ({minutes} min before it starts); choose a later one"),
    "SLOT_FULL": ("{date} {slot} 已约满，请选择其他时段", "{date} {slot} is fully booked; choose another slot"),
    "BOOKING_BLOCKED": ("您在 {days} 天内有 {misses} 次预约未到（爽约），{until} 前不能网上预约，可到大厅取号",
                        "You missed {misses} bookings within {days} days; online booking is closed to you until {until}. You can still take a number at the hall"),
    "BOOKING_SAME_DAY": ("您已预约 {date} 的“{service}”，如需改时间请改约", "You already booked \u201c{service}\u201d on {date}; reschedule that booking instead"),
    "BOOKING_PHONE_LIMIT": ("一个手机号最多同时保留 {count} 个预约，请先办理或取消已有预约", "One phone number may hold {count} bookings at a time; use or cancel one first"),
    "BOOKING_ADDRESS_LIMIT": ("预约操作过于频繁，请 {minutes} 分钟后（{at}）再试", "Too many booking attempts; try again in {minutes} min ({at})"),
    "BOOKING_INVALID": ("预约链接无效或预约已过期", "This booking link is invalid or the booking has passed"),
    "BOOKING_CANCELLED": ("该预约已取消", "This booking was cancelled"),
    "BOOKING_USED": ("该预约已签到取号，不能再更改", "This booking has been checked in; it can no longer be changed"),
    "BOOKING_STARTED": ("预约时段 {slot} 已开始，不能再取消或改约", "The slot at {slot} has begun; it can no longer be cancelled or moved"),
    "HALL_HOLIDAY": ("今日{holiday}放假，{zone}休息，暂不能取号", "Closed today for {holiday_en}; no tickets for {zone}"),
}


class _Blank(dict):
    def __missing__(self, key):
        return ""


def render(code: str, params: dict | None = None) -> tuple[str, str]:
    zh, en = MESSAGES.get(code, (code, code))
    values = _Blank({k: v for k, v in (params or {}).items()})
    return zh.format_map(values), en.format_map(values)


def error_body(code: str, params: dict | None = None) -> dict:
    zh, en = render(code, params)
    return {"code": code, "message": zh, "message_en": en, "params": params or {}}
