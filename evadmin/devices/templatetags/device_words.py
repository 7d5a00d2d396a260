"""`{% load device_words %}{{ rssi_dbm|signal_words }}`: a charger's signal strength in words."""

from django import template

from evadmin.devices.panels import signal_words as _signal_words

register = template.Library()


@register.filter
def signal_words(rssi_dbm):
    return _signal_words(rssi_dbm if isinstance(rssi_dbm, int) else None)
