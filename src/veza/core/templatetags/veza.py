from django import template

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
