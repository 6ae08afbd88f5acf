"""The package every device and test uses to reach the hub: the async client, the hall mirror,
device settings, the view-model base and the device clock."""
from .client import HubClient, HubError, HubUnavailable
from .clock import DeviceClock
from .mirror import HallMirror
from .settings import (Connection, DeviceSetupError, add_connection_arguments, connect_or_exit, device_preference,
                       device_settings_path, remember_device_preference, resolve_connection)
from .trust import HallTrust
from .viewmodel import ViewModel

__all__ = ["Connection", "DeviceClock", "DeviceSetupError", "HallMirror", "HallTrust", "HubClient", "HubError",
           "HubUnavailable", "ViewModel", "add_connection_arguments", "connect_or_exit", "device_preference",
           "device_settings_path", "remember_device_preference", "resolve_connection"]
