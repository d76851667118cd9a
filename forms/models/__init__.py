"""Page types of the public portal (app label "intake"): the intake form, tracking, policy pages."""

from .intake import IntakeFormField, IntakeFormPage, IntakeIndexPage, IntakeReceipt
from .policy import MechanismPage, PolicyIndexPage
from .tracking import TrackingPage

__all__ = [
    "IntakeFormField", "IntakeFormPage", "IntakeIndexPage", "IntakeReceipt", "MechanismPage",
    "PolicyIndexPage", "TrackingPage",
]
