"""Pages of recommendations and action plans, split by topic."""

from veza.recommendations.views.coverage import coverage
from veza.recommendations.views.plans import (
    measure_detail,
    measure_new,
    plan_detail,
    plan_draft,
    plan_list,
)
from veza.recommendations.views.recommendations import (
    import_page,
    import_template,
    recommendation_detail,
    recommendation_list,
    recommendation_new,
    source_detail,
    source_list,
)

__all__ = [
    "coverage",
    "import_page",
    "import_template",
    "measure_detail",
    "measure_new",
    "plan_detail",
    "plan_draft",
    "plan_list",
    "recommendation_detail",
    "recommendation_list",
    "recommendation_new",
    "source_detail",
    "source_list",
]
