"""The audit trail's filters, declared with django-filter: the /audit/ page and its CSV export."""

from datetime import date, datetime, time, timedelta

import django_filters
from django.apps import apps
from django.db.models import Q, QuerySet
from django.forms import TextInput
from django.utils import timezone

from evadmin.audit.forms import AuditFilterForm, DateInput
from evadmin.audit.models import AuditEvent
from evadmin.audit.selectors import audit_action_names, audit_event_list


def _start_of_day(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


class AuditEventFilter(django_filters.FilterSet):
    """Events narrowed by whichever filters are given (dates inclusive, in the site's time zone)."""

    actor = django_filters.CharFilter(label="Staff member", field_name="actor_username", method="filter_actor",
                                      max_length=150,
                                      widget=TextInput(attrs={"placeholder": "part of a username or name"}))
    action = django_filters.ChoiceFilter(label="Action", empty_label="Any action")
    target_user_id = django_filters.CharFilter(label="Driver", method="filter_target", max_length=254,
                                               widget=TextInput(attrs={"placeholder": "id or email"}))
    ticket_ref = django_filters.CharFilter(label="Support ticket id", max_length=64)
    date_from = django_filters.DateFilter(label="From", method="filter_date_from", widget=DateInput)
    date_to = django_filters.DateFilter(label="To", method="filter_date_to", widget=DateInput)

    class Meta:
        model = AuditEvent
        fields = []  # only the filters declared above
        form = AuditFilterForm

    def __init__(self, data=None, queryset=None, **kwargs):
        super().__init__(data, audit_event_list() if queryset is None else queryset, **kwargs)
        self.filters["action"].extra["choices"] = [(name, name) for name in audit_action_names()]

    def filter_actor(self, events: QuerySet, name: str, value: str) -> QuerySet:
        """Part of the username as recorded, or of the staff member's name."""
        value = value.strip()
        return events.filter(Q(actor_username__icontains=value) | Q(actor__first_name__icontains=value)
                             | Q(actor__last_name__icontains=value))

    def filter_target(self, events: QuerySet, name: str, value: str) -> QuerySet:
        """A driver's id, or their email: the directory's accounts with that email (any case)."""
        value = value.strip()
        if "@" not in value:
            return events.filter(target_user_id=value)
        # Read through the app registry: the directory records its own audit events, so the trail does
        # not import it.
        accounts = apps.get_model("directory", "DirectoryAccount").objects
        user_ids = accounts.filter(email_normalised=value.casefold()).values_list("user_id", flat=True)
        return events.filter(target_user_id__in=list(user_ids))

    def filter_date_from(self, events: QuerySet, name: str, day: date) -> QuerySet:
        return events.filter(occurred_at__gte=_start_of_day(day))

    def filter_date_to(self, events: QuerySet, name: str, day: date) -> QuerySet:
        return events.filter(occurred_at__lt=_start_of_day(day + timedelta(days=1)))

    def filter_queryset(self, queryset: QuerySet) -> QuerySet:
        # The form also holds the page size, which is not a filter.
        for name, filter_ in self.filters.items():
            queryset = filter_.filter(queryset, self.form.cleaned_data.get(name))
        return queryset

    def in_use(self) -> dict:
        """The filters given, by the field each narrows (as an export records them); after is_valid()."""
        data = self.form.cleaned_data
        return {filter_.field_name: data[name] for name, filter_ in self.filters.items() if data.get(name)}
