from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def query_replace(context, **changes):
    """The current query string with some parameters replaced (for pagination links)."""
    query = context["request"].GET.copy()
    for key, value in changes.items():
        query[key] = value
    return query.urlencode()


@register.filter(name="localized")
def localized_filter(value):
    """A data file's text in the page language (English when it has no translation)."""
    from veza.core.text import localized

    return localized(value)
