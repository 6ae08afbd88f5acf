"""Every word the kiosk shows, Chinese first: {"key": ("中文", "English")}."""
from __future__ import annotations

LANGS = ("zh_CN", "en")

TEXT: dict[str, tuple[str, str]] = {
    # home
    "take_number": ("取 号", "Take a number"),
    "take_number_sub": ("选择要办理的事项", "Choose what you need to do"),
    "appointment": ("预约签到", "Appointment check-in"),
    "appointment_sub": ("已在网上或电话预约", "Booked online or by phone"),
    "priority": ("特殊人群 · 绿色通道", "Priority service"),
    "priority_sub": ("老年人、残疾人、孕妇优先", "Seniors, disabled, pregnant"),
    "lang_switch": ("English", "中文"),
    "welcome": ("欢迎光临，请点击下方按钮", "Welcome. Please tap a button below"),
    # common
    "back": ("返回", "Back"),
    "home": ("首页", "Home"),
    "retry": ("重试", "Retry"),
    "done": ("完成", "Done"),
    "skip": ("跳过", "Skip"),
    "yes": ("是", "Yes"),
    "no": ("否", "No"),
    "idle_hint": ("{seconds} 秒后自动返回首页", "Back to the home screen in {seconds} s"),
    "please_wait": ("正在处理，请稍候…", "One moment, please…"),
    # zones
    "zones_title": ("请选择服务区域", "Choose a service area"),
    "zone_open_all_day": ("24小时开放", "Open 24 hours"),
    "zone_closed": ("当前不在服务时间", "Closed now"),
    "zone_waiting": ("等候 {n} 人", "{n} waiting"),
    "zone_closed_title": ("{zone}当前不在服务时间", "{zone} is closed now"),
    "zone_hours": ("服务时间：", "Opening hours: "),
    "search_all": ("搜索事项", "Search services"),
    # services
    "services_title": ("请选择办理事项", "Choose a service"),
    "search_placeholder": ("输入事项、常用说法或拼音，如 医保、yibao、yb", "A word or pinyin, e.g. yibao or yb"),
    "search_results": ("搜索结果", "Search results"),
    "no_results": ("没有找到相关事项，请换个词或咨询工作人员", "Nothing found. Try another word or ask staff"),
    "bundle_tag": ("一件事", "One-stop"),
    "self_service_go": ("请到自助终端办理", "Please use the self-service terminals"),
    "clear": ("清空", "Clear"),
    "delete": ("删除", "Delete"),
    "keyboard": ("拼音键盘", "Keyboard"),
    "priority_mode": ("绿色通道：{reason}", "Priority: {reason}"),
    # ID card
    "card_title": ("请将身份证放在读卡区", "Place your ID card on the reader"),
    "card_sub": ("读卡后可为老年人优先取号；不刷卡也可以取号", "Seniors get a priority number; you may also skip"),
    "card_reading": ("正在读卡，请勿移动身份证…", "Reading the card, keep it still…"),
    "card_failed": ("读卡失败，请重新放置身份证", "Could not read the card. Please place it again"),
    "reader_unavailable": ("读卡器暂不可用，请点击“跳过”继续取号", "The card reader is not available. Tap Skip to continue"),
    "senior_title": ("是否取老年人绿色通道号？", "Take a senior priority number?"),
    "senior_sub": ("{name}，您已年满 {age} 周岁，可优先办理", "{name}, you are {age} or older and may be served first"),
    "senior_yes": ("是，走绿色通道", "Yes, priority number"),
    "senior_no": ("否，取普通号", "No, normal number"),
    # priority reasons
    "priority_title": ("请选择优先原因", "Why do you need priority service?"),
    "reason_elderly": ("老年人", "Senior citizen"),
    "reason_disabled": ("残疾人", "Person with a disability"),
    "reason_pregnant": ("孕妇", "Pregnant"),
    "reason_other": ("其他特殊情况", "Other"),
    "reason_senior": ("老年人（身份证）", "Senior (ID card)"),
    "priority_note": ("工作人员可能会核验相关证件", "Staff may ask to see proof"),
    # ticket
    "your_number": ("您的号码", "Your number"),
    "ahead": ("前面还有 {n} 人", "{n} people ahead of you"),
    "ahead_none": ("前面没有人", "No one is ahead of you"),
    "wait": ("预计等候约 {m} 分钟", "Estimated wait: about {m} min"),
    "wait_range": ("预计等候约 {lo}-{hi} 分钟", "Estimated wait: about {lo}-{hi} min"),
    "wait_none": ("暂无窗口办理此业务，窗口开放后开始叫号", "No window is serving this now; calls start when one opens"),
    "ticket_hint": ("请留意大屏和语音叫号，过号请联系工作人员", "Watch the screens and listen for your number"),
    "ticket_hint_short": ("请留意大屏和语音叫号", "Watch the screens for your number"),
    "printed": ("请取走打印的号票", "Please take your printed ticket"),
    "print_failed": ("打印机故障，请记住您的号码或联系工作人员", "Printer fault: please remember your number or ask staff"),
    "printing_off": ("无法打印，号码显示在屏幕上", "Printing unavailable: your number is shown on screen"),
    "appointment_ticket": ("预约号", "Appointment"),
    "print_hint": ("扫码查看排队进度", "Scan to follow the queue"),
    # appointment
    "appt_title": ("预约签到", "Appointment check-in"),
    "appt_by_code": ("预约码", "Booking code"),
    "appt_by_phone": ("手机号", "Phone number"),
    "appt_by_card": ("身份证", "ID card"),
    "appt_code_prompt": ("请输入 6 位预约码", "Enter your 6-digit booking code"),
    "appt_phone_prompt": ("请输入预约时登记的手机号", "Enter the phone number you booked with"),
    "appt_card_prompt": ("请将身份证放在读卡区", "Place your ID card on the reader"),
    "appt_no_reader": ("本机没有读卡器，请用预约码或手机号签到", "No card reader here: use the code or phone number"),
    "confirm": ("确认签到", "Check in"),
    "appt_failed_title": ("未能签到", "Could not check in"),
    "appt_what_to_do": ("如需帮助，请联系工作人员", "Ask staff if you need help"),
    "take_normal": ("取普通号", "Take a normal number"),
    # hub / errors
    "unreachable": ("暂时无法取号，请稍候或联系工作人员", "Tickets are unavailable for a moment. Please wait or ask staff"),
    "unreachable_sub": ("正在自动重新连接，恢复后即可取号", "Reconnecting automatically; you can take a number once it is back"),
    "reconnected": ("已恢复，请点击“重试”", "Connection is back. Tap Retry"),
    "error_title": ("暂时无法办理", "Cannot do that now"),
    "loading": ("正在连接服务器…", "Connecting to the hall server…"),
    # home: most-taken services, search, 适老化
    "top_title": ("今日常办事项 · 点击直接取号", "Most requested today · tap to take a number"),
    "search_home": ("搜索事项：输入“医保”或拼音 yibao、yb", "Search: type a word, e.g. passport"),
    "by_zone": ("按区域取号", "By service area"),
    "large_on": ("大字模式", "Large text"),
    "large_off": ("退出大字", "Normal text"),
    "large_sub": ("适老化 · 语音提示", "With spoken help"),
    # spoken in 适老化 mode; {number} is read by the voice as calls read it
    "say_large_on": ("已打开大字模式。请点击要办理的事项，或点击搜索。",
                     "Large text is on. Tap what you need, or tap search."),
    "say_number": ("您的号码是 {number}。", "Your number is {number}."),
    "say_ahead": ("前面还有 {n} 人。", "{n} people are ahead of you."),
    "say_ahead_none": ("前面没有人。", "No one is ahead of you."),
    "say_next": ("请取走号票，到{zone}等候，留意大屏和语音叫号。",
                 "Please take your ticket, wait at {zone}, and watch the screens for your number."),
    # the printed ticket (labels keep their {n} and {time})
    "print_ahead": ("前面还有 {n} 人等候", "People ahead of you: {n}"),
    "print_ahead_none": ("前面没有人", "No one is ahead of you"),
    "print_time": ("取号时间：{time}", "Issued {time}"),
    "print_scan": ("扫码查看排队进度", "Scan to follow the queue"),
    "print_priority": ("绿色通道", "Priority lane"),
    "print_appointment": ("预约", "Appointment"),
    # a service none of whose windows is open: the hub would refuse its number
    "no_window_tag": ("暂无窗口", "No window open"),
    "no_window_title": ("“{service}”暂无窗口办理", "No window is serving “{service}” now"),
    "no_window_body": ("办理窗口（{windows}）现在都未开放，暂不能取号。",
                       "Its windows ({windows}) are all closed now, so no number can be taken."),
    "no_window_hint": ("请稍后再来，或到导办台咨询", "Please come back later or ask at the help desk"),
    # days for opening hours
    "days_mon-fri": ("周一至周五", "Mon–Fri"),
    "days_sat": ("周六", "Sat"),
    "days_sun": ("周日", "Sun"),
    "days_sat-sun": ("周六、周日", "Sat–Sun"),
    "days_mon-sun": ("每天", "Daily"),
    "days_mon-sat": ("周一至周六", "Mon–Sat"),
}

WEEKDAYS = (("周一", "Mon"), ("周二", "Tue"), ("周三", "Wed"), ("周四", "Thu"), ("周五", "Fri"),
            ("周六", "Sat"), ("周日", "Sun"))


def tr(key: str, lang: str = "zh_CN", **values) -> str:
    zh, en = TEXT[key]
    text = en if lang == "en" else zh
    return text.format(**values) if values else text


def wait_text(ticket: dict, lang: str) -> str:
    """The hub's estimate in words: a range when it is uncertain ("约 20-30 分钟"), a word when no
    open window serves the ticket, nothing when it is about to be called."""
    minutes, span = ticket.get("estimated_wait_minutes", 0), ticket.get("estimated_wait_range")
    if minutes is None:
        return tr("wait_none", lang)
    if not minutes:
        return ""
    if span and 0 < span[0] < span[1]:
        return tr("wait_range", lang, lo=span[0], hi=span[1])
    return tr("wait", lang, m=round(minutes))


def pick(item: dict, field: str, lang: str) -> str:
    """A hall name in the chosen language, falling back to Chinese when the hall has no English."""
    if lang == "en":
        return item.get(f"{field}_en") or item.get(field, "")
    return item.get(field, "")


def days_text(days: str, lang: str) -> str:
    key = f"days_{days.lower().replace(' ', '')}"
    if key in TEXT:
        return tr(key, lang)
    names = dict(zip(("mon", "tue", "wed", "thu", "fri", "sat", "sun"), WEEKDAYS))
    parts = []
    for part in days.lower().replace(" ", "").split(","):
        ends = [names.get(p, (p, p))[1 if lang == "en" else 0] for p in part.split("-")]
        parts.append(("–" if lang == "en" else "至").join(ends))
    return ("、" if lang != "en" else ", ").join(parts)


def hours_lines(zone: dict, lang: str) -> list[str]:
    """Opening hours, one short line per group of days, e.g. "周一至周五 09:00-17:30 午间不打烊".

    Spans that follow on without a gap are joined so a kiosk tile stays two lines high;
    a label such as 午间不打烊 or 周六延时服务 is kept, since it is why people come then."""
    if zone.get("always_open"):
        return [tr("zone_open_all_day", lang)]
    groups: dict[str, list[list]] = {}
    for span in zone.get("hours", []):
        runs = groups.setdefault(span["days"], [])
        label = pick(span, "label", lang)
        if runs and runs[-1][1] == span["open"]:
            runs[-1][1] = span["close"]
            if label:
                runs[-1][2].append(label)
        else:
            runs.append([span["open"], span["close"], [label] if label else []])
    lines = []
    for days, runs in groups.items():
        times = ("、" if lang != "en" else ", ").join(f"{a}-{b}" for a, b, _ in runs)
        labels = [lab for *_, labs in runs for lab in labs]
        lines.append(" ".join([days_text(days, lang), times, *labels]))
    return lines
