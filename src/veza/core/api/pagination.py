from rest_framework.pagination import PageNumberPagination

__all__ = ["VezaPagination"]


class VezaPagination(PageNumberPagination):
    """`count`, `next`, `previous` and `results`; clients follow `next` until it is null."""

    page_size_query_param = "page_size"
    max_page_size = 200
