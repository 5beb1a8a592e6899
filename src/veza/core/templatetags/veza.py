from django import template
from django.utils.html import format_html, format_html_join

register = template.Library()


@register.simple_tag(takes_context=True)
def query_replace(context, **changes):
    """The current query string with some parameters replaced (for pagination links)."""
    query = context["request"].GET.copy()
    for key, value in changes.items():
        query[key] = value
    return query.urlencode()


@register.simple_tag(takes_context=True)
def query_set(context, name, value):
    """The current query string with the parameter `name` set to `value` (for pagination links
    of pages with more than one paginated list, each under its own parameter)."""
    return query_replace(context, **{name: value})


@register.filter(name="localized")
def localized_filter(value):
    """A data file's text in the page language (English when it has no translation)."""
    from veza.core.text import localized

    return localized(value)


@register.simple_tag
def choice_input(option):
    """The <input> of one radio button or check box of a form field, as Django's widget template
    writes it (`{{ option.tag }}`), built here without rendering a template per option: a
    screening section has dozens, and they were a third of its rendering time."""
    data = option.data
    attrs = {"type": data["type"], "name": data["name"]}
    if data["value"] is not None:
        attrs["value"] = str(data["value"])
    attrs.update(data["attrs"])  # the id, `checked`, and any attribute set on the widget
    # In the widget template's order (type, name, value, id, ...), a bare name for True.
    written = format_html_join(
        "",
        " {}{}",
        (
            (name, format_html('="{}"', value) if value is not True else "")
            for name, value in attrs.items()
            if value is not False and value is not None
        ),
    )
    return format_html("<input{}>", written)
