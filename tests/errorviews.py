"""A page that breaks after reading a name, to test what an error report holds."""

from django.contrib.auth.decorators import login_not_required
from django.urls import path
from django.views.decorators.csrf import csrf_exempt


@csrf_exempt
@login_not_required
def breaks(request):
    family_name = request.POST.get("family_name", "")
    raise RuntimeError(f"broke after reading {len(family_name)} characters")


urlpatterns = [path("breaks/", breaks)]
