"""Small pieces of the ticket pages: a ticket's category in words, its priority as a badge."""

from __future__ import annotations

from urllib.parse import urlencode

from django import template
from django.utils.html import format_html

from evadmin.evenergy.tickets import SupportTicket, TicketTaxonomy

register = template.Library()

PRIORITY_BADGES = {"urgent": "error", "high": "warning"}


@register.filter
def urlencode_dict(query: dict) -> str:
    return urlencode(query)


@register.simple_tag
def priority_badge(priority: str | None):
    if not priority:
        return "—"
    return format_html('<span class="badge {}">{}</span>', PRIORITY_BADGES.get(priority.lower(), ""), priority)


@register.simple_tag
def ticket_category(ticket: SupportTicket, taxonomy: TicketTaxonomy):
    """"Charger › Offline": a person's category, else the AI's marked as such, else "Not categorised"."""
    if ticket.human_verified_category:
        return format_html("{} › {}", taxonomy.category_label(ticket.human_verified_category),
                           taxonomy.subcategory_label(ticket.human_verified_subcategory) or "—")
    if ticket.ai_generated_category:
        return format_html('{} › {} <span class="badge" title="Set by the AI; no person has checked it yet">AI</span>',
                           taxonomy.category_label(ticket.ai_generated_category),
                           taxonomy.subcategory_label(ticket.ai_generated_subcategory) or "—")
    return format_html('<span class="muted">{}</span>', "Not categorised")


@register.filter
def category_label(taxonomy: TicketTaxonomy, value: str | None) -> str:
    return taxonomy.category_label(value)


@register.filter
def subcategory_label(taxonomy: TicketTaxonomy, value: str | None) -> str:
    return taxonomy.subcategory_label(value)
