"""Terms (half-years): found or created on demand, since a group plans a term before it starts."""

import datetime as dt

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction

from sessions_app.models import StudyGroup, Term


def half_of(day: dt.date) -> tuple[int, int]:
    """The (year, half) containing the day: H1 is January to June, H2 July to December."""
    return day.year, 1 if day.month <= 6 else 2


def half_after(year: int, half: int) -> tuple[int, int]:
    """The (year, half) following the given one."""
    return (year, 2) if half == 1 else (year + 1, 1)


def half_dates(year: int, half: int) -> tuple[dt.date, dt.date]:
    """First and last day of the half-year: 1 Jan–30 Jun, or 1 Jul–31 Dec."""
    if half == 1:
        return dt.date(year, 1, 1), dt.date(year, 6, 30)
    return dt.date(year, 7, 1), dt.date(year, 12, 31)


@transaction.atomic
def term_get_or_create(
    *, group: StudyGroup, year: int, half: int, user: AbstractBaseUser | None = None
) -> Term:
    """The group's term for the half-year, created with the standard dates if missing.

    Safe when two requests create the same term at once: the loser reads the winner's row.
    """
    term = Term.objects.filter(group=group, year=year, half=half).first()
    if term is not None:
        return term
    start, end = half_dates(year, half)
    acting = user if user is not None and user.is_authenticated else None
    term = Term(
        group=group,
        year=year,
        half=half,
        start_date=start,
        end_date=end,
        created_by=acting,
        updated_by=acting,
    )
    # The unique constraint is checked by the insert itself (and handled below).
    term.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            term.save()
    except IntegrityError:
        return Term.objects.get(group=group, year=year, half=half)
    return term


def term_next_for(*, group: StudyGroup, term: Term, user: AbstractBaseUser | None = None) -> Term:
    """The term after the given one (2020H1 -> 2020H2, 2020H2 -> 2021H1), created if missing."""
    year, half = half_after(term.year, term.half)
    return term_get_or_create(group=group, year=year, half=half, user=user)


def term_for_day(*, group: StudyGroup, day: dt.date, user: AbstractBaseUser | None = None) -> Term:
    """The group's term containing the day, created if missing."""
    year, half = half_of(day)
    return term_get_or_create(group=group, year=year, half=half, user=user)
