"""Error reports that carry no personal data.

Django's error report (the e-mail to ADMINS, the debug page) includes what was posted and the local
variables of every frame: on an identity form, the person's name. Veza hides all of them, always,
whatever the view: the report keeps the path, the traceback's code lines and safe request metadata.
"""

from django.views.debug import SafeExceptionReporterFilter

__all__ = ["PersonalDataReporterFilter"]


class PersonalDataReporterFilter(SafeExceptionReporterFilter):
    def is_active(self, request):
        return True

    def get_post_parameters(self, request):
        if request is None:
            return {}
        return dict.fromkeys(request.POST, self.cleansed_substitute)

    def get_traceback_frame_variables(self, request, tb_frame):
        return [(name, self.cleansed_substitute) for name in tb_frame.f_locals]
