"""The application layer: everything the hub does, one method per use case.

Routers parse, authorise, call ONE of these and serialise; nothing below them reaches the store
or the core's state. Commands that change the hall go through `HubCore._execute` (replay a
repeated request_id, decide with the core, apply, commit, publish) and answer (status, body).

  hall.py      the queue: issue_ticket, cancel_ticket; a window's login, logout, call_next, call_ticket
               (a chosen number, with a reason), recall,
               serve, finish, no_show, transfer, pause, resume; book, check_in; set_notice,
               report_device_status; evaluate (a window's evaluator or the console),
               evaluate_by_link (the citizen's phone)
  devices.py   pair_device (a console code), pair_device_directly (`hallq hub pair`), create_pairing_code,
               revoke_device, device_list, device_for_token (a console session's person and role)
  console.py   console_overview (alerts), set_alert_minutes,
               set_console_notice, audit_log, hall_layout, edit_hall_item, delete_hall_item,
               edit_hall_info, report, rated_tickets, follow_up_rating
  booking.py   the citizen's online booking: offer, a day's slots, book_online, cancel_online,
               reschedule_online (by the booking's link token); booking rules in hub/core/booking.py
  public_hall.py  the citizens' hall page: zones, services, waits, today's hours
  views.py     the read model: ticket views (live, stored, the citizen's), snapshot, zone_summary,
               hall_info, health, evaluation_options
  base.py      state loading, the one execute/commit step, subscribers, device connections
  accounts.py  named console accounts and roles, sign-in (hashing off the loop, login limits),
               sessions and their expiry; the throttle on guessing a pairing code
  clerks.py    a clerk's window login with the PIN lockout; locked_clerks, unlock_clerk
  report_data.py  the reports' figures from ticket and visit rows (pure); report_terms.py what each means
"""
from __future__ import annotations

from datetime import timedelta

from ..core.clock import Clock
from ..core.config import HallConfig
from ..store import Store
from .accounts import AccountUseCases, LoginLimits, Throttle
from .base import HubCore, StorageFailure
from .booking import BookingUseCases
from .clerks import ClerkLockouts
from .console import ConsoleUseCases
from .devices import DeviceUseCases
from .hall import HallUseCases
from .public_hall import PublicHall
from .views import Views


class Hub(ClerkLockouts, HallUseCases, BookingUseCases, DeviceUseCases, AccountUseCases, ConsoleUseCases, PublicHall,
          Views, HubCore):
    """One running hall: its use cases over the core, the store and the live subscribers."""

    def __init__(self, config: HallConfig, store: Store, clock: Clock, public_url: str = "", *,
                 session_idle: timedelta = timedelta(minutes=30), session_max: timedelta = timedelta(hours=12)):
        super().__init__(config, store, clock, public_url)
        self.login_limits = LoginLimits.default()
        self.pair_throttle = Throttle()
        self.session_idle, self.session_max = session_idle, session_max


__all__ = ["Hub", "StorageFailure"]
