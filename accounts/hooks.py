"""Signals accounts sends for apps above it to react to; accounts imports none of them.

token_revoked: sent when a user revokes one of their own API tokens, with `user` and `token_id` (the
public prefix). challenges records it in the audit log (challenges.apps); accounts has no log of its own.
"""

from __future__ import annotations

from django.dispatch import Signal

token_revoked = Signal()
