"""Storage classes and helpers shared by the apps."""

from __future__ import annotations

from django.core.files.storage import storages
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils.functional import LazyObject, empty


class _PrivateStorage(LazyObject):
    """STORAGES["private"], looked up on first use (like default_storage), so settings may change it."""

    def _setup(self):
        self._wrapped = storages["private"]


_private = _PrivateStorage()


def private_storage():
    """The storage for files never served by URL (truth files, uploads). Used as FileField(storage=...)."""
    return _private


@receiver(setting_changed)
def _reset_private_storage(*, setting, **kwargs):
    if setting in ("STORAGES", "PRIVATE_ROOT"):
        _private._wrapped = empty
