from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response

from veza.core.paging import BoundedPaginator

__all__ = ["VezaPagination"]


class VezaPagination(PageNumberPagination):
    """`count`, `count_exact`, `next`, `previous` and `results`; clients follow `next` until null.

    A list is counted only up to 1,000 rows (veza.core.paging): past that, `count` is 1,000 and
    `count_exact` is false ("more than 1,000"), and `next` still leads through every page.
    """

    django_paginator_class = BoundedPaginator
    page_size_query_param = "page_size"
    max_page_size = 200

    def get_paginated_response(self, data):
        paginator = self.page.paginator
        return Response(
            {
                "count": paginator.shown_count,
                "count_exact": not paginator.capped,
                "next": self.get_next_link(),
                "previous": self.get_previous_link(),
                "results": data,
            }
        )

    def get_paginated_response_schema(self, schema):
        answer = super().get_paginated_response_schema(schema)
        answer["properties"]["count"]["description"] = (
            "Rows in the list, or 1,000 when there are more (then count_exact is false)."
        )
        answer["properties"] = {
            "count": answer["properties"]["count"],
            "count_exact": {
                "type": "boolean",
                "description": "False when the list holds more rows than count.",
            },
            **{k: v for k, v in answer["properties"].items() if k != "count"},
        }
        answer["required"] = [*answer.get("required", []), "count_exact"]
        return answer
