"""Who may see what. Every console view declares a rule, checked by a test
that walks the URL map, so a new route cannot ship without one."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import abort, g, redirect, request, url_for

from utvag.store.models import Role

ROLE_RANK = {Role.COORDINATOR: 1, Role.LEAD: 2, Role.ADMIN: 3}

View = TypeVar("View", bound=Callable[..., Any])


def has_role(member_role: str, needed: Role) -> bool:
    try:
        return ROLE_RANK[Role(member_role)] >= ROLE_RANK[needed]
    except ValueError:
        return False


def requires(needed: Role) -> Callable[[View], View]:
    """Only a logged-in member with at least ``needed`` may call the view."""

    def decorate(view: View) -> View:
        @wraps(view)
        def guarded(*args: Any, **kwargs: Any) -> Any:
            current = g.get("staff")
            if current is None:
                return redirect(url_for("auth.login", next=request.path))
            if not has_role(current.member.role, needed):
                abort(403)
            return view(*args, **kwargs)

        guarded.required_role = needed  # type: ignore[attr-defined]
        return guarded  # type: ignore[return-value]

    return decorate


def public(view: View) -> View:
    """Mark a view that needs no login (the login page itself, health)."""
    view.is_public = True  # type: ignore[attr-defined]
    return view
