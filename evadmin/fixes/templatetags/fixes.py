"""`{% load fixes %}{% fix_link "boost_start" account.id %}`: a fix's link, for staff who may apply it."""

from django import template
from django.urls import reverse
from django.utils.html import format_html
from django.utils.http import urlencode

from evadmin.fixes.registry import FIXES, WHAT_IT_DOES

register = template.Library()


@register.simple_tag(takes_context=True)
def fix_link(context, name: str, user_id: str, target: str = "", label: str = ""):
    fix = FIXES[name]
    request = context.get("request")
    if request is None or not request.user.has_perm(fix.permission):
        return ""
    url = reverse("fixes:fix", args=[user_id, name])
    if target:
        url += "?" + urlencode({"target": target})
    return format_html('<a class="fix-link" role="button" href="{}">{}</a>', url, label or fix.label)


@register.filter
def fix_explanation(name: str) -> str:
    """What the fix named `name` does, in a sentence or two."""
    return WHAT_IT_DOES.get(name, "")
