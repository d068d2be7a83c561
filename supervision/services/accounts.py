"""Login accounts and their roles."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from guardian.shortcuts import assign_perm, get_objects_for_user, remove_perm

from ..audit import audit_record
from ..models import Person, Unit
from ..roles import ROLE_PERMISSIONS, Role

User = get_user_model()


@transaction.atomic
def account_set_roles(*, actor, user, roles: list[str], liaison_unit: Unit | None = None) -> None:
    """Set the user's role groups to exactly `roles`. A unit liaison is tied to one unit (object permission)."""
    unknown = set(roles) - set(ROLE_PERMISSIONS)
    if unknown:
        raise ValidationError(_("未知角色：%(roles)s") % {"roles": "、".join(sorted(unknown))})
    if Role.UNIT_LIAISON in roles and liaison_unit is None:
        raise ValidationError(_("联络员必须指定所在单位"))
    before = sorted(user.groups.values_list("name", flat=True))
    user.groups.set(Group.objects.filter(name__in=roles))
    for unit in get_objects_for_user(user, "supervision.view_unit", Unit, accept_global_perms=False,
                                     use_groups=False):
        if unit != liaison_unit:
            remove_perm("supervision.view_unit", user, unit)
    if Role.UNIT_LIAISON in roles:
        assign_perm("supervision.view_unit", user, liaison_unit)
    user._role_cache = None
    audit_record(actor=actor, action="account.roles", obj=user,
                 changes={"roles": {"before": ",".join(before), "after": ",".join(sorted(roles))},
                          **({"liaison_unit": {"before": "", "after": str(liaison_unit)}} if liaison_unit else {})})


@transaction.atomic
def account_create(*, actor, username: str, password: str, roles: list[str], person: Person | None = None,
                   liaison_unit: Unit | None = None, is_superuser: bool = False):
    if User.objects.filter(username=username).exists():
        raise ValidationError({"username": _("用户名%(name)s已存在") % {"name": username}})
    user = User(username=username, is_staff=is_superuser or Role.ADMIN in roles, is_superuser=is_superuser)
    if person is not None:
        user.first_name = person.name[:150]
    try:
        validate_password(password, user=user)  # the password rules (AUTH_PASSWORD_VALIDATORS), in Chinese
    except ValidationError as error:
        raise ValidationError({"password": error.messages}) from error
    user.set_password(password)
    user.save()
    if person is not None:
        if person.user_id and person.user_id != user.pk:
            raise ValidationError(_("%(person)s已有登录账号") % {"person": person})
        person.user = user
        person.save(update_fields=["user", "updated_at"])
    audit_record(actor=actor, action="account.create", obj=user,
                 changes={"username": {"before": "", "after": username}})
    account_set_roles(actor=actor, user=user, roles=roles, liaison_unit=liaison_unit)
    return user
