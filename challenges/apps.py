from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChallengesConfig(AppConfig):
    name = "challenges"
    verbose_name = _("Events and challenges")

    def ready(self):
        from accounts.hooks import token_revoked

        token_revoked.connect(_record_token_revoke, dispatch_uid="challenges.token_revoke_audit")


def _record_token_revoke(sender, user, token_id: str, **kwargs) -> None:
    """A revoked API token in the audit log (with no event: a token belongs to no event)."""
    from .services import audit

    audit(event=None, actor=user, action="token_revoke", token=token_id)
