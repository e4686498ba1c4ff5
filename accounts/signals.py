"""An API token dies with the password it was issued under and with the account's activity.

Receivers, not a service, because a password changes in many places (the admin, `changepassword`,
Django's password forms) and an account is deactivated in the admin: every path is covered here.
The same receivers keep the token cache (core/tokens.py) honest: a deleted or changed token, and
any saved user (role, scope, activity, ...), are dropped from it at once.
"""

from django.conf import settings
from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver
from rest_framework.authtoken.models import Token

from accounts.models import User
from accounts.services import token_revoke
from core.tokens import token_cache_forget


@receiver(pre_save, sender=User, dispatch_uid="accounts.token_guard.pre_save")
def _remember_credentials(sender, instance: User, update_fields=None, **kwargs) -> None:
    if instance.pk is None or (
        update_fields is not None and not {"password", "is_active"} & set(update_fields)
    ):
        return
    before = User.objects.filter(pk=instance.pk).values("password", "is_active").first()
    instance._token_must_go = before is not None and (
        before["password"] != instance.password or (before["is_active"] and not instance.is_active)
    )


@receiver(post_save, sender=User, dispatch_uid="accounts.token_guard.post_save")
def _revoke_token_on_password_change_or_deactivation(sender, instance: User, created: bool, **kwargs) -> None:
    if created:
        return
    if getattr(instance, "_token_must_go", False):
        instance._token_must_go = False
        token_revoke(user=instance)  # its post_delete drops the cached token
    elif settings.TOKEN_CACHE_SECONDS > 0:
        token_cache_forget(keys=list(Token.objects.filter(user_id=instance.pk).values_list("key", flat=True)))


@receiver(post_delete, sender=Token, dispatch_uid="accounts.token_cache.post_delete")
def _forget_deleted_token(sender, instance: Token, **kwargs) -> None:
    token_cache_forget(keys=[instance.key])


@receiver(post_save, sender=Token, dispatch_uid="accounts.token_cache.post_save")
def _forget_changed_token(sender, instance: Token, created: bool, **kwargs) -> None:
    if not created:
        token_cache_forget(keys=[instance.key])
