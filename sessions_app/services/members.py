"""A group's members: adding them with their accounts, changing roles, leaving and rejoining,
their order, and their one-time sign-in links.

Every function here takes keyword arguments, checks the rows with full_clean() and raises
django.core.exceptions.ValidationError, with a message to show the user, for a change it refuses;
a refused change writes nothing. Two rules hold for every change:
- nobody is deleted: a member who leaves is given a leaving date (issue 9: out from that day);
- a group that has a leader (组长) and a secretary (学习秘书) in it keeps at least one of each
  (a new group, made with its secretary first, may have no leader yet).
"""

import datetime as dt
import re

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F, Max
from django.http import HttpRequest
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from audit.models import AuditEvent
from audit.services import audit_record
from sessions_app.models import Member, StudyGroup
from sessions_app.signin import signin_link_path

#: Roles a group always keeps someone in, once it has them.
KEPT_ROLES = (Member.Role.LEADER, Member.Role.SECRETARY)

# A phone number as people type it: digits with spaces, dashes or a leading +.
_PHONE_SEPARATORS = re.compile(r"[\s\-()]")


def phone_username(phone: str) -> str:
    """The user name made from a phone number: its digits (and a leading +), without spaces or
    dashes ("138 0013-8000" → "13800138000"). Raises ValidationError when it is not a number of
    5 to 20 digits."""
    value = _PHONE_SEPARATORS.sub("", phone or "")
    if not re.fullmatch(r"\+?\d{5,20}", value):
        raise ValidationError(
            {"phone": _("Enter a phone number of digits only, e.g. 13800138000.")}
        )
    return value


def _role_holders(group: StudyGroup, day: dt.date) -> dict[str, int]:
    """How many members of the group on day hold each kept role."""
    counts = dict.fromkeys(KEPT_ROLES, 0)
    holders = Member.objects.filter(group=group, role__in=KEPT_ROLES).in_group_on(day)
    for role in holders.values_list("role", flat=True):
        counts[role] += 1
    return counts


def _refuse_losing_kept_roles(group: StudyGroup, before: dict, days: list[dt.date]) -> None:
    """Raise ValidationError when, after a change (already saved in this transaction), the group
    has nobody in a kept role on one of days that it had somebody in before."""
    for day in days:
        after = _role_holders(group, day)
        for role in KEPT_ROLES:
            if before[day][role] and not after[role]:
                if role == Member.Role.LEADER:
                    message = _(
                        "The group must keep at least one leader (组长): make another member "
                        "the leader first."
                    )
                else:
                    message = _(
                        "The group must keep at least one secretary (学习秘书): make another "
                        "member the secretary first."
                    )
                raise ValidationError(message)


def _audit_role(member: Member, *, actor, role_from: str | None, request) -> None:
    audit_record(
        action=AuditEvent.Action.ROLE_CHANGED,
        actor=actor,
        group_id=member.group_id,
        obj=member,
        request=request,
        details={"role_from": role_from, "role_to": member.role},
    )


def _next_sort_order(group: StudyGroup) -> int:
    """A sort order after every member's: a new member goes to the end of the list."""
    top = Member.objects.filter(group=group).aggregate(top=Max("sort_order"))["top"]
    return 10 if top is None else top + 10


@transaction.atomic
def member_add(
    *,
    group: StudyGroup,
    display_name: str,
    role: str = Member.Role.MEMBER,
    position: str = "",
    joined_on: dt.date | None = None,
    username: str = "",
    phone: str = "",
    email: str = "",
    sort_order: int | None = None,
    actor: AbstractBaseUser | None,
    request: HttpRequest | None = None,
) -> Member:
    """Add a person to the group with a new account of their own.

    The account's user name is username as typed, else the phone number's digits
    (phone_username); it must be new to the whole site (compared ignoring case). The account has
    no usable password: the member gets in through a one-time sign-in link (signin_link_path)
    and sets one. joined_on defaults to the group's today; sort_order to after every member.
    The role given is audited (ROLE_CHANGED from nothing), as the admin does.

    Raises ValidationError (keyed by field where one is to blame: username, phone, email,
    display_name, ...) for a missing or taken user name and any invalid value; nothing is saved.
    """
    User = get_user_model()
    username = (username or "").strip()
    if not username:
        if not (phone or "").strip():
            raise ValidationError(
                {"username": _("Enter a user name, or a phone number to use as the user name.")}
            )
        username = phone_username(phone)
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError(
            {
                "username": _(
                    "The user name “%(username)s” is already taken on this site: type another, "
                    "e.g. with the member's initials or a number added."
                )
                % {"username": username}
            }
        )
    user = User(username=username, email=(email or "").strip())
    user.set_unusable_password()
    try:
        user.full_clean()
    except ValidationError as error:
        if "password" in error.error_dict:  # the unusable password is fine
            del error.error_dict["password"]
        if error.error_dict:
            raise
    user.save()
    member = Member(
        group=group,
        user=user,
        display_name=(display_name or "").strip(),
        role=role,
        position=(position or "").strip(),
        joined_on=joined_on or timezone.localdate(),
        sort_order=_next_sort_order(group) if sort_order is None else sort_order,
        created_by=actor,
        updated_by=actor,
    )
    member.full_clean()
    member.save()
    _audit_role(member, actor=actor, role_from=None, request=request)
    return member


@transaction.atomic
def member_update(
    *,
    member: Member,
    display_name: str,
    role: str,
    position: str = "",
    joined_on: dt.date,
    email: str | None = None,
    sort_order: int | None = None,
    actor: AbstractBaseUser | None,
    request: HttpRequest | None = None,
) -> Member:
    """Change a member's name, role, position, joining date, order and (when email is not None)
    their account's e-mail address. A change of role is audited (ROLE_CHANGED, from and to).

    Raises ValidationError when the change would leave the group with no leader or no secretary
    today (it had one before), when the e-mail address is changed on an account the group may
    not give sign-in links to (signin_link_refusal), or for an invalid value; nothing is saved.
    """
    today = timezone.localdate()
    member = Member.objects.select_for_update().get(pk=member.pk)
    before = {today: _role_holders(member.group, today)}
    role_from = member.role
    member.display_name = (display_name or "").strip()
    member.role = role
    member.position = (position or "").strip()
    member.joined_on = joined_on
    if sort_order is not None:
        member.sort_order = sort_order
    member.updated_by = actor
    member.full_clean()
    member.save()
    if email is not None and email.strip() != member.user.email:
        # The address a sign-in link may be sent to: the group changes it only on accounts it
        # may give links to.
        refusal = signin_link_refusal(member)
        if refusal:
            raise ValidationError({"email": refusal})
        user = member.user
        user.email = email.strip()
        user.full_clean(exclude=["password"])
        user.save(update_fields=["email"])
    _refuse_losing_kept_roles(member.group, before, [today])
    if role_from != member.role:
        _audit_role(member, actor=actor, role_from=role_from, request=request)
    return member


@transaction.atomic
def member_leave(
    *,
    member: Member,
    on: dt.date,
    actor: AbstractBaseUser | None,
    request: HttpRequest | None = None,
) -> Member:
    """Record that the member leaves the group on the date on: from that day they are out
    (Member.objects.in_group_on; issue 9's rule) — off sign-in sheets and the figures of later
    sessions, and without access to the group's pages. Nothing of theirs is deleted: their
    attendance, essays and the terms they were in keep them. Audited (MEMBER_LEFT).

    Raises ValidationError when the member has already left, when on is before they joined, or
    when the group would have no leader or no secretary today or on that day; nothing is saved.
    """
    today = timezone.localdate()
    member = Member.objects.select_for_update().get(pk=member.pk)
    if member.left_on is not None:
        raise ValidationError(
            _("%(name)s already left the group on %(date)s.")
            % {"name": member.display_name, "date": date_format(member.left_on)}
        )
    days = sorted({today, max(on, today)})
    before = {day: _role_holders(member.group, day) for day in days}
    member.left_on = on
    member.updated_by = actor
    member.full_clean()
    member.save()
    _refuse_losing_kept_roles(member.group, before, days)
    audit_record(
        action=AuditEvent.Action.MEMBER_LEFT,
        actor=actor,
        group_id=member.group_id,
        obj=member,
        request=request,
        details={"left_on": on.isoformat()},
    )
    return member


@transaction.atomic
def member_rejoin(
    *,
    member: Member,
    actor: AbstractBaseUser | None,
    request: HttpRequest | None = None,
) -> Member:
    """Take a member who left back into the group: their leaving date is cleared, so they are in
    the group again from their joining date, with their past records as they were. A membership
    has one joining and one leaving date, so the time away is not kept on the member; the audit
    event (MEMBER_REJOINED) keeps the leaving date that was cleared.

    Raises ValidationError when the member has not left.
    """
    member = Member.objects.select_for_update().get(pk=member.pk)
    if member.left_on is None:
        raise ValidationError(
            _("%(name)s is in the group: there is nothing to rejoin.")
            % {"name": member.display_name}
        )
    left_on = member.left_on
    member.left_on = None
    member.updated_by = actor
    member.full_clean()
    member.save()
    audit_record(
        action=AuditEvent.Action.MEMBER_REJOINED,
        actor=actor,
        group_id=member.group_id,
        obj=member,
        request=request,
        details={"left_on": left_on.isoformat()},
    )
    return member


@transaction.atomic
def member_reorder(
    *, group: StudyGroup, sort_orders: dict[int, int], actor: AbstractBaseUser | None
) -> int:
    """Set the group's order (the rank every list, sheet and report goes by: in_rank_order):
    sort_orders maps member ids to their new sort order (numbers from 0; equal numbers keep the
    order they were added in). Members not named keep theirs. Returns how many changed.

    Raises ValidationError when an id is not one of the group's members or a number is negative.
    """
    members = {m.pk: m for m in Member.objects.filter(group=group, pk__in=list(sort_orders))}
    if set(members) != set(sort_orders):
        raise ValidationError(_("The list changed while you were ordering it: reload the page."))
    now = timezone.now()
    changed = []
    for pk, order in sort_orders.items():
        if order < 0:
            raise ValidationError(_("Enter an order number of 0 or more."))
        member = members[pk]
        if member.sort_order != order:
            # bulk_update does not run auto_now: stamp the change as save() would.
            member.sort_order, member.updated_by, member.updated_at = order, actor, now
            changed.append(member)
    Member.objects.bulk_update(changed, ["sort_order", "updated_by", "updated_at"])
    return len(changed)


def signin_link_refusal(member: Member) -> str | None:
    """Why the group's managers may not give this member's account a sign-in link, or None
    when they may. A link sets the account's password, so it is only for an active account
    that belongs to this group alone and is not a site administrator's: anything wider would
    let a secretary take over a person's access to another group or to the admin."""
    user = member.user
    if not user.is_active:
        return _("This account is deactivated: it cannot be given a sign-in link.")
    if user.is_staff or user.is_superuser:
        return _("This is a site administrator's account: only the site administrator can "
                 "give it a sign-in link.")
    if user.memberships.exclude(group_id=member.group_id).exists():
        return _("This account also belongs to another group: only the site administrator can "
                 "give it a sign-in link.")
    return None


@transaction.atomic
def signin_link_issue(
    *,
    member: Member,
    actor: AbstractBaseUser | None,
    base_url: str,
    send_email: bool = False,
    request: HttpRequest | None = None,
) -> str:
    """Issue a new one-time sign-in link for the member's account and return it (base_url +
    path). Every link issued to the account before stops working (sessions_app.signin). With
    send_email (where settings.EMAIL_ENABLED and the account has an address) the link is also
    sent by e-mail, after the transaction commits. Audited (SIGNIN_LINK_ISSUED; never the link).

    Raises ValidationError when the account may not have a link (signin_link_refusal) or
    e-mail is asked for but not configured or the account has no address.
    """
    user = member.user
    refusal = signin_link_refusal(member)
    if refusal:
        raise ValidationError(refusal)
    if send_email and not (settings.EMAIL_ENABLED and user.email):
        raise ValidationError(_("This member has no e-mail address, or e-mail is not set up."))
    Member.objects.filter(pk=member.pk).update(signin_links_issued=F("signin_links_issued") + 1)
    member.refresh_from_db(fields=["signin_links_issued"])
    link = base_url.rstrip("/") + signin_link_path(user)
    audit_record(
        action=AuditEvent.Action.SIGNIN_LINK_ISSUED,
        actor=actor,
        group_id=member.group_id,
        obj=member,
        request=request,
        details={"by_email": bool(send_email)},
    )
    if send_email:
        subject = _("Your sign-in link for %(group)s") % {"group": member.group.name}
        body = _(
            "%(name)s,\n\nOpen this link to set your password and sign in to %(group)s. It works "
            "once, for %(days)s days:\n\n%(link)s\n"
        ) % {
            "name": member.display_name,
            "group": member.group.name,
            "days": settings.SIGNIN_LINK_VALID_DAYS,
            "link": link,
        }
        recipient = user.email
        transaction.on_commit(
            lambda: send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [recipient])
        )
    return link
