"""Who performs an action: a staff user, the complainant on the public site, an API client, or
a background job. Every service takes one, so history and the timeline always name someone."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Actor:
    kind: str  # "staff" | "public" | "api" | "system"
    label: str
    user: Any = None

    @classmethod
    def staff(cls, user) -> Actor:
        name = (user.get_full_name() or user.get_username()) if user else "工作人员"
        return cls(kind="staff", label=name, user=user)

    @classmethod
    def public(cls, label: str = "反映人") -> Actor:
        return cls(kind="public", label=label)

    @classmethod
    def api(cls, client_name: str) -> Actor:
        return cls(kind="api", label=f"接口：{client_name}")

    @classmethod
    def system(cls, job: str) -> Actor:
        return cls(kind="system", label=f"系统：{job}")

    @property
    def history_user(self):
        return self.user if self.kind == "staff" else None
