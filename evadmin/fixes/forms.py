"""The one form every fix uses: a required reason, the fix's own fields, and for a fix that cannot be
undone a confirmation (a checkbox, or for a recalculation the dry run's page)."""

from __future__ import annotations

from django import forms

from evadmin.evenergy.resources import Make
from evadmin.fixes.registry import Fix
from evadmin.fixes.selectors import FixTarget

# The API's names for the fields it checks -> this form's, so its validation errors land on them.
API_FIELDS = {"maximum_charge_limit_percentage": "limit", "smart_charging_enabled": "enabled", "email": "email",
              "make": "make"}
ON, OFF = "on", "off"


class FixForm(forms.Form):
    reason = forms.CharField(
        label="Reason or ticket reference", max_length=500,
        help_text="Why this fix is applied, e.g. a ticket reference. Kept in the audit trail with what was done.",
    )

    # The support ticket the agent is working on for this driver (evadmin/tickets/working.py): the fix's
    # audit event carries it unless they untick the box.
    ticket = forms.RegexField(required=False, regex=r"^tick[A-Z0-9]{26}$", widget=forms.HiddenInput)
    for_ticket = forms.BooleanField(required=False, initial=True)

    def __init__(self, *args, fix: Fix, target: FixTarget, makes: list[Make] = (), working_ticket=None,
                 **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fix = fix
        self.working_ticket = working_ticket
        if working_ticket is None:
            del self.fields["ticket"], self.fields["for_ticket"]
        else:
            self.fields["ticket"].initial = working_ticket.id
            self.fields["for_ticket"].label = (f"Record this fix against ticket #{working_ticket.external_id}"
                                               f" ({working_ticket.subject})" if working_ticket.subject else
                                               f"Record this fix against ticket #{working_ticket.external_id}")
        self.account_email = target.user.email if target.user else ""
        vehicle = target.vehicle
        if fix.name == "smart_charging":
            currently_on = bool(vehicle and vehicle.smart_charging_enabled)
            self.fields["enabled"] = forms.ChoiceField(
                label="Smart charging", choices=[(ON, "On"), (OFF, "Off")], widget=forms.RadioSelect,
                initial=OFF if currently_on else ON)  # offered: the switch the agent most likely wants
        elif fix.name == "charge_limit":
            self.fields["limit"] = forms.IntegerField(
                label="Charge limit (%)", min_value=50, max_value=100,
                initial=vehicle.maximum_charge_limit_percentage if vehicle else None,
                help_text="The most the vehicle is charged to: 50 to 100 %.")
        elif fix.name == "onboarding_link":
            self.fields["email"] = forms.EmailField(
                label="Send to", initial=target.user.email,
                help_text="The address on the driver's account: a link for their account goes nowhere else.")
            self.fields["make"] = forms.ChoiceField(
                label="Vehicle make", choices=[("", "Choose the make")] + [
                    (make.id, make.display_name or make.name) for make in makes])
        elif fix.name == "vehicle_disconnect":
            self.fields["confirm"] = forms.BooleanField(
                label="I understand this cannot be undone: the driver will have to link the vehicle again "
                      "themselves, and its open charging sessions end.",
                error_messages={"required": "Tick the box to confirm: a disconnection cannot be undone."})
        elif fix.name == "recalculate":
            # Set by the dry run's page: without it the form runs the dry run, with it the real one.
            self.fields["confirmed"] = forms.BooleanField(required=False, widget=forms.HiddenInput)

    @property
    def ticket_ref(self) -> str | None:
        """The ticket the fix is recorded against, or None (after is_valid)."""
        if "ticket" not in self.fields or not self.cleaned_data.get("for_ticket"):
            return None
        return self.cleaned_data.get("ticket") or None

    def clean_email(self) -> str:
        # Someone calling as the driver must not get a link to their account sent to an address of
        # their own: if the driver's address has changed, the account's email is changed first.
        email = self.cleaned_data["email"]
        if self.account_email and email.lower() != self.account_email.lower():
            raise forms.ValidationError(
                f"Send it to the address on the account ({self.account_email}). If the driver's address has "
                "changed, change the account's email first (Edit email and location).")
        return email

    def add_api_errors(self, field_errors: dict[str, list[str]], detail: str = "") -> None:
        """The API's validation errors on the fields they concern (the rest above the form)."""
        for api_field, messages in field_errors.items():
            field = API_FIELDS.get(api_field)
            for message in messages:
                self.add_error(field if field in self.fields else None, message)
        if not field_errors:
            self.add_error(None, detail or "The ev.energy API rejected this.")

    @property
    def smart_charging_wanted(self) -> bool:
        return self.cleaned_data.get("enabled") == ON
