from .calendar import CalendarDay, YearCalendar
from .case import (
    Attachment,
    Case,
    CaseCounter,
    CaseStatus,
    ComplainantType,
    DeadlineState,
    Extension,
    FeedbackMethod,
    Reminder,
    Satisfaction,
    SettlementMethod,
    TimelineEvent,
)
from .mechanism import (
    Channel,
    ClockStart,
    DisputeCategory,
    DocumentKind,
    DocumentNumbering,
    Mechanism,
    MechanismLeader,
    Stage,
    Tier,
    TierDeadline,
    Unit,
)
from .meeting import Meeting, MeetingItem
from .stamp import ConfigStamp

__all__ = [
    "Attachment", "Case", "CaseCounter", "CaseStatus", "ClockStart", "ComplainantType", "ConfigStamp",
    "DeadlineState", "DocumentKind", "Extension", "FeedbackMethod", "Meeting", "MeetingItem",
    "Reminder", "Satisfaction", "SettlementMethod", "Stage", "TimelineEvent",
    "CalendarDay",
    "Channel",
    "DisputeCategory",
    "DocumentNumbering",
    "Mechanism",
    "MechanismLeader",
    "Tier",
    "TierDeadline",
    "Unit",
    "YearCalendar",
]
