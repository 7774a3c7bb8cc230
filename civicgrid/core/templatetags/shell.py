"""Template tags of the web shell: `{% icon "map" %}` draws one of a few inline SVG line icons, so
that icons look the same on every phone whatever fonts it has."""

from __future__ import annotations

from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe

register = template.Library()

# 24x24 line drawings (stroke = currentColor), keyed like the NavEntry icons in core.context.
ICONS = {
    "cases": '<rect x="4" y="3" width="16" height="18" rx="2"/><path d="M8 8h8M8 12h8M8 16h5"/>',
    "report": '<path d="M12 3v12"/><path d="M7 8l5-5 5 5"/><path d="M4 17v3h16v-3"/>',
    "dashboard": '<path d="M4 14a8 8 0 1 1 16 0"/><path d="M12 14l4-4"/><path d="M3 18h18"/>',
    "board": '<rect x="3" y="4" width="18" height="16" rx="2"/><path d="M8 16v-4M12 16V8M16 16v-6"/>',
    "home": '<path d="M3 11l9-7 9 7"/><path d="M5 10v10h5v-6h4v6h5V10"/>',
    "regions": '<rect x="3" y="3" width="7" height="7"/><rect x="14" y="3" width="7" height="7"/>'
               '<rect x="3" y="14" width="7" height="7"/><rect x="14" y="14" width="7" height="7"/>',
    "map": '<path d="M9 4L3 6v14l6-2 6 2 6-2V4l-6 2-6-2z"/><path d="M9 4v14M15 6v14"/>',
    "people": '<circle cx="9" cy="8" r="3.5"/><path d="M2.5 20c.8-3.6 3.3-5.5 6.5-5.5s5.7 1.9 6.5 5.5"/>'
              '<path d="M16 4.8a3.5 3.5 0 010 6.4M18 14.8c2 .8 3.1 2.5 3.5 5.2"/>',
    "audit": '<path d="M12 3l8 3v6c0 4.5-3.4 8-8 9-4.6-1-8-4.5-8-9V6l8-3z"/><path d="M8.5 12l2.5 2.5 4.5-5"/>',
    "routing": '<circle cx="5" cy="12" r="2"/><circle cx="19" cy="5" r="2"/><circle cx="19" cy="19" r="2"/>'
               '<path d="M7 12h4l6-6M11 12l6 6"/>',
    "api_docs": '<path d="M8 7l-5 5 5 5M16 7l5 5-5 5M13.5 5l-3 14"/>',
    "volunteers": '<path d="M12 20s-7-4.4-7-10a4 4 0 017-2.6A4 4 0 0119 10c0 5.6-7 10-7 10z"/>',
    "campaigns": '<rect x="5" y="3" width="14" height="18" rx="2"/><path d="M9 3v3h6V3"/>'
                 '<path d="M8.5 12l2 2 4-4M8.5 17h7"/>',
    "patrols": '<circle cx="12" cy="10" r="3"/><path d="M12 21s-7-6.1-7-11a7 7 0 0114 0c0 4.9-7 11-7 11z"/>',
    "patrol_report": '<rect x="4" y="4" width="16" height="17" rx="2"/><path d="M8 2v4M16 2v4M4 10h16"/>'
                     '<path d="M8.5 15l2 2 4-4"/>',
    "fieldwork": '<path d="M3 11l9-7 9 7"/><path d="M6 10v10h12V10"/><path d="M10 20v-5h4v5"/>',
    "enterprise_work": '<rect x="3" y="7" width="18" height="13" rx="2"/><path d="M8 7V4h8v3M3 12h18"/>',
    "enterprises": '<path d="M3 21h18M5 21V8l6-4v17M11 10h8v11"/><path d="M14 13h2M14 17h2M7 11h2M7 15h2"/>',
    "enterprise_portal": '<path d="M4 21V9l8-5 8 5v12z"/><path d="M9 21v-6h6v6"/>',
    "publicservice": '<rect x="3" y="5" width="18" height="15" rx="2"/><path d="M3 10h18M8 3v4M16 3v4"/>'
                     '<path d="M8 14.5l2.5 2.5 5-5"/>',
    "hard_cases": '<path d="M12 3l8 4v5c0 4.5-3.4 8-8 9-4.6-1-8-4.5-8-9V7l8-4z"/><path d="M12 8v5M12 16h.01"/>',
    "figures": '<path d="M4 20V10M10 20V4M16 20v-7M22 20H2"/>',
    "relief": '<path d="M12 21s-8-4.5-8-11a4.5 4.5 0 018-2.8A4.5 4.5 0 0120 10c0 6.5-8 11-8 11z"/><path d="M9 11h6M12 8v6"/>',
    "subsidies": '<circle cx="12" cy="12" r="8.5"/><path d="M9 8l3 4 3-4M9 13h6M9 16h6M12 12v7"/>',
    "innovation": '<path d="M9 18h6M10 21h4"/><path d="M12 3a6 6 0 00-3.5 10.9c.6.5 1 1.3 1 2.1h5c0-.8.4-1.6 1-2.1A6 6 0 0012 3z"/>',
    "investment": '<path d="M3 20h18"/><path d="M6 16v-4M10 16V9M14 16v-6M18 16V5"/>',
    "investment_reports": '<rect x="4" y="3" width="16" height="18" rx="2"/><path d="M8 16v-3M12 16v-6M16 16v-4"/>',
    "works": '<path d="M3 20h18M5 20v-5l4-3 4 3v5M15 20v-9l3-2 3 2v9"/>',
    "recognition": '<path d="M12 3l2.6 5.3 5.9.9-4.3 4.1 1 5.8-5.2-2.7-5.2 2.7 1-5.8-4.3-4.1 5.9-.9z"/>',
    # a star with a check mark: checking and reviewing nominations for the 好人榜
    "recognition_verify": '<path d="M12 3l2.3 4.7 5.2.8-3.8 3.6.9 5.1-4.6-2.4-4.6 2.4.9-5.1-3.8-3.6 5.2-.8z"/>'
                          '<path d="M15 19l2 2 4-4"/>',
    "recognition_review": '<path d="M12 3l2.3 4.7 5.2.8-3.8 3.6.9 5.1-4.6-2.4-4.6 2.4.9-5.1-3.8-3.6 5.2-.8z"/>'
                          '<path d="M15 20h6M18 17v6"/>',
    # account administration (三员分立): accounts, role grants, departments, hand-over
    "accounts": '<circle cx="12" cy="8" r="4"/><path d="M4 21c1-4 4-6 8-6s7 2 8 6"/>',
    "grants": '<circle cx="8" cy="15" r="4"/><path d="M11 12l9-9M17 6l3 3M15 8l2 2"/>',
    "departments": '<rect x="9" y="3" width="6" height="5"/><rect x="3" y="16" width="6" height="5"/>'
                   '<rect x="15" y="16" width="6" height="5"/><path d="M12 8v4M6 16v-4h12v4"/>',
    "handover": '<path d="M4 9h13l-4-4M20 15H7l4 4"/>',
    "joint_work": '<path d="M12 3l7 3v5c0 4.4-3 7.8-7 9-4-1.2-7-4.6-7-9V6l7-3z"/><path d="M9 12h6M12 9v6"/>',
}


@register.simple_tag
def icon(name: str, size: int = 24):
    paths = ICONS.get(name)
    if paths is None:
        return ""
    return format_html(
        '<svg class="svg-icon" width="{}" height="{}" viewBox="0 0 24 24" fill="none" stroke="currentColor" '
        'stroke-width="1.8" stroke-linecap="round" stroke-linejoin="round" aria-hidden="true">{}</svg>',
        size, size, mark_safe(paths),  # constant markup from ICONS above
    )
